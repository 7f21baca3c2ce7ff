//go:build !purego

#include "textflag.h"
#include "vecconst_amd64.h"

// ReLU after the bias add, and its derivative, as in activation.go
// (reluForward, reluBackward), 16 or 8 values at a time (see simd.go).

// func reluAVX512(z, a, b *float32, n int)
// z += b; a = max(z, 0), as Go's max: NaN stays NaN and −0 gives +0 (VMAXPS
// returns its second source for NaN and for two zeros; adding +0 then turns
// −0 into +0 and changes nothing else).
TEXT ·reluAVX512(SB), NOSPLIT, $0-32
	MOVQ z+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	VPXORD Z30, Z30, Z30
	SHRQ $4, CX
	JZ   relu512done

relu512loop:
	VMOVUPS (DI), Z0
	VADDPS  (DX), Z0, Z0
	VMOVUPS Z0, (DI)
	VMAXPS  Z0, Z30, Z1
	VADDPS  Z30, Z1, Z1
	VMOVUPS Z1, (SI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	DECQ    CX
	JNZ     relu512loop

relu512done:
	VZEROUPPER
	RET

// func reluAVX2(z, a, b *float32, n int)
TEXT ·reluAVX2(SB), NOSPLIT, $0-32
	MOVQ z+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ   relu256done

relu256loop:
	VMOVUPS (DI), Y0
	VADDPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	VMAXPS  Y0, Y15, Y1
	VADDPS  Y15, Y1, Y1
	VMOVUPS Y1, (SI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	DECQ    CX
	JNZ     relu256loop

relu256done:
	VZEROUPPER
	RET

// func reluBackAVX512(d, z *float32, n int)
// d *= (z > 0 ? 1 : 0).
TEXT ·reluBackAVX512(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ z+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS ·vecConst+C_ONE(SB), Z28
	VPXORD Z30, Z30, Z30
	SHRQ $4, CX
	JZ   rb512done

rb512loop:
	VMOVUPS   (SI), Z1
	VCMPPS    $0x1e, Z30, Z1, K1 // z > 0 (ordered)
	VMOVAPS.Z Z28, K1, Z2        // 1 or 0
	VMULPS    (DI), Z2, Z2
	VMOVUPS   Z2, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	DECQ      CX
	JNZ       rb512loop

rb512done:
	VZEROUPPER
	RET

// func reluBackAVX2(d, z *float32, n int)
TEXT ·reluBackAVX2(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ z+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPS ·vecConst+C_ONE(SB), Y14
	VXORPS  Y15, Y15, Y15
	SHRQ $3, CX
	JZ   rb256done

rb256loop:
	VMOVUPS (SI), Y1
	VCMPPS  $0x1e, Y15, Y1, Y2
	VANDPS  Y14, Y2, Y2
	VMULPS  (DI), Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNZ     rb256loop

rb256done:
	VZEROUPPER
	RET
