//go:build !purego

#include "textflag.h"
#include "vecconst_amd64.h"

// The sigmoid of activation.go (sigmoidForward, with expNeg32 of exp32.go)
// after the bias add, 16 or 8 values at a time: the same operations in the
// same order, without FMA (see simd.go).

// func sigmoidAVX512(z, a, b *float32, n int)
// z += b; a = σ(z), with σ(z) = (z ≥ 0 ? 1 : e)/(1 + e), e = expNeg32(−|z|).
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-32
	MOVQ z+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS ·vecConst+C_SIGN(SB), Z16
	VBROADCASTSS ·vecConst+C_EXPMIN(SB), Z17
	VBROADCASTSS ·vecConst+C_LOG2E(SB), Z18
	VBROADCASTSS ·vecConst+C_MAGIC(SB), Z19
	VBROADCASTSS ·vecConst+C_LN2HI(SB), Z20
	VBROADCASTSS ·vecConst+C_LN2LO(SB), Z21
	VBROADCASTSS ·vecConst+C_P0(SB), Z22
	VBROADCASTSS ·vecConst+C_P1(SB), Z23
	VBROADCASTSS ·vecConst+C_P2(SB), Z24
	VBROADCASTSS ·vecConst+C_P3(SB), Z25
	VBROADCASTSS ·vecConst+C_P4(SB), Z26
	VBROADCASTSS ·vecConst+C_P5(SB), Z27
	VBROADCASTSS ·vecConst+C_ONE(SB), Z28
	VBROADCASTSS ·vecConst+C_127(SB), Z29
	VPXORD Z30, Z30, Z30
	SHRQ $4, CX
	JZ   sig512done

sig512loop:
	VMOVUPS (DI), Z0
	VADDPS  (DX), Z0, Z0      // z += b
	VMOVUPS Z0, (DI)
	VPORD   Z16, Z0, Z1       // x = −|z|
	VMAXPS  Z1, Z17, Z1       // x = max(x, expMin); NaN stays
	VMULPS  Z18, Z1, Z2       // x·log2e
	VADDPS  Z19, Z2, Z2       // t = x·log2e + magic
	VPSUBD  Z19, Z2, Z3       // n = bits(t) − bits(magic)
	VSUBPS  Z19, Z2, Z2       // nf = t − magic
	VMULPS  Z20, Z2, Z4       // nf·ln2Hi
	VSUBPS  Z4, Z1, Z4        // x − nf·ln2Hi
	VMULPS  Z21, Z2, Z5       // nf·ln2Lo
	VSUBPS  Z5, Z4, Z4        // r
	VMULPS  Z22, Z4, Z5       // P0·r
	VADDPS  Z23, Z5, Z5       // + P1
	VMULPS  Z4, Z5, Z5
	VADDPS  Z24, Z5, Z5       // ·r + P2
	VMULPS  Z4, Z5, Z5
	VADDPS  Z25, Z5, Z5       // ·r + P3
	VMULPS  Z4, Z5, Z5
	VADDPS  Z26, Z5, Z5       // ·r + P4
	VMULPS  Z4, Z5, Z5
	VADDPS  Z27, Z5, Z5       // ·r + P5
	VMULPS  Z4, Z4, Z6        // r²
	VMULPS  Z6, Z5, Z5        // p·r²
	VADDPS  Z4, Z5, Z5        // + r
	VADDPS  Z28, Z5, Z5       // + 1
	VPSRAD  $1, Z3, Z6        // n1 = n >> 1
	VPSUBD  Z6, Z3, Z3        // n2 = n − n1
	VPADDD  Z29, Z6, Z6
	VPSLLD  $23, Z6, Z6       // 2^n1
	VPADDD  Z29, Z3, Z3
	VPSLLD  $23, Z3, Z3       // 2^n2
	VMULPS  Z6, Z5, Z5
	VMULPS  Z3, Z5, Z5        // e = e^x
	VADDPS  Z28, Z5, Z6       // 1 + e
	VCMPPS  $0x1d, Z30, Z0, K1 // z ≥ 0 (ordered)
	VMOVAPS Z28, K1, Z5       // numerator: 1 where z ≥ 0, else e
	VDIVPS  Z6, Z5, Z5
	VMOVUPS Z5, (SI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	DECQ    CX
	JNZ     sig512loop

sig512done:
	VZEROUPPER
	RET

// func sigmoidAVX2(z, a, b *float32, n int)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-32
	MOVQ z+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	VMOVUPS ·vecConst+C_EXPMIN(SB), Y12
	VMOVUPS ·vecConst+C_MAGIC(SB), Y13
	VMOVUPS ·vecConst+C_ONE(SB), Y14
	VXORPS  Y15, Y15, Y15
	SHRQ $3, CX
	JZ   sig256done

sig256loop:
	VMOVUPS   (DI), Y0
	VADDPS    (DX), Y0, Y0
	VMOVUPS   Y0, (DI)
	VPOR      ·vecConst+C_SIGN(SB), Y0, Y1
	VMAXPS    Y1, Y12, Y1
	VMULPS    ·vecConst+C_LOG2E(SB), Y1, Y2
	VADDPS    Y13, Y2, Y2
	VPSUBD    Y13, Y2, Y3
	VSUBPS    Y13, Y2, Y2
	VMULPS    ·vecConst+C_LN2HI(SB), Y2, Y4
	VSUBPS    Y4, Y1, Y4
	VMULPS    ·vecConst+C_LN2LO(SB), Y2, Y5
	VSUBPS    Y5, Y4, Y4
	VMULPS    ·vecConst+C_P0(SB), Y4, Y5
	VADDPS    ·vecConst+C_P1(SB), Y5, Y5
	VMULPS    Y4, Y5, Y5
	VADDPS    ·vecConst+C_P2(SB), Y5, Y5
	VMULPS    Y4, Y5, Y5
	VADDPS    ·vecConst+C_P3(SB), Y5, Y5
	VMULPS    Y4, Y5, Y5
	VADDPS    ·vecConst+C_P4(SB), Y5, Y5
	VMULPS    Y4, Y5, Y5
	VADDPS    ·vecConst+C_P5(SB), Y5, Y5
	VMULPS    Y4, Y4, Y6
	VMULPS    Y6, Y5, Y5
	VADDPS    Y4, Y5, Y5
	VADDPS    Y14, Y5, Y5
	VPSRAD    $1, Y3, Y6
	VPSUBD    Y6, Y3, Y3
	VPADDD    ·vecConst+C_127(SB), Y6, Y6
	VPSLLD    $23, Y6, Y6
	VPADDD    ·vecConst+C_127(SB), Y3, Y3
	VPSLLD    $23, Y3, Y3
	VMULPS    Y6, Y5, Y5
	VMULPS    Y3, Y5, Y5
	VADDPS    Y14, Y5, Y6
	VCMPPS    $0x1d, Y15, Y0, Y7
	VBLENDVPS Y7, Y14, Y5, Y5
	VDIVPS    Y6, Y5, Y5
	VMOVUPS   Y5, (SI)
	ADDQ      $32, DI
	ADDQ      $32, SI
	ADDQ      $32, DX
	DECQ      CX
	JNZ       sig256loop

sig256done:
	VZEROUPPER
	RET
