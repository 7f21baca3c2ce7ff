//go:build !purego

#include "textflag.h"
#include "vecconst_amd64.h"

// The MSE loop of loss.go (outputGrad after a sigmoid, and lossSum), 16
// values at a time: the gradient in float32 as the Go loop computes it,
// and the squared errors in float64, added to the 16 lanes of a sum16 in
// the order of the Go loop's s[i mod 16] (see simd.go).

// func mseSigmoidGradAVX512(dz, p, y *float32, n int, scale float32, s *sum16)
// dz = (scale·(2·(p − y)))·(p·(1 − p)); s[i mod 16] += (float64(p) − float64(y))².
TEXT ·mseSigmoidGradAVX512(SB), NOSPLIT, $0-48
	MOVQ dz+0(FP), DI
	MOVQ p+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS scale+32(FP), Z27
	MOVQ s+40(FP), AX
	VBROADCASTSS ·vecConst+C_ONE(SB), Z28
	VBROADCASTSS ·vecConst+C_TWO(SB), Z29
	VMOVUPD (AX), Z14
	VMOVUPD 64(AX), Z15
	SHRQ $4, CX
	JZ   msg512done

msg512loop:
	VMOVUPS   (SI), Z0
	VSUBPS    (DX), Z0, Z2    // p − y
	VMULPS    Z29, Z2, Z2     // 2·(p − y)
	VMULPS    Z27, Z2, Z2     // scale·…
	VSUBPS    Z0, Z28, Z3     // 1 − p
	VMULPS    Z3, Z0, Z3      // p·(1 − p)
	VMULPS    Z3, Z2, Z2
	VMOVUPS   Z2, (DI)
	VCVTPS2PD (SI), Z4
	VCVTPS2PD (DX), Z5
	VSUBPD    Z5, Z4, Z4
	VMULPD    Z4, Z4, Z4
	VADDPD    Z4, Z14, Z14
	VCVTPS2PD 32(SI), Z6
	VCVTPS2PD 32(DX), Z7
	VSUBPD    Z7, Z6, Z6
	VMULPD    Z6, Z6, Z6
	VADDPD    Z6, Z15, Z15
	ADDQ      $64, DI
	ADDQ      $64, SI
	ADDQ      $64, DX
	DECQ      CX
	JNZ       msg512loop

msg512done:
	VMOVUPD Z14, (AX)
	VMOVUPD Z15, 64(AX)
	VZEROUPPER
	RET

// func mseSigmoidGradAVX2(dz, p, y *float32, n int, scale float32, s *sum16)
TEXT ·mseSigmoidGradAVX2(SB), NOSPLIT, $0-48
	MOVQ dz+0(FP), DI
	MOVQ p+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS scale+32(FP), Y13
	MOVQ s+40(FP), AX
	VMOVUPS ·vecConst+C_ONE(SB), Y14
	VMOVUPS ·vecConst+C_TWO(SB), Y15
	VMOVUPD (AX), Y8
	VMOVUPD 32(AX), Y9
	VMOVUPD 64(AX), Y10
	VMOVUPD 96(AX), Y11
	SHRQ $4, CX
	JZ   msg256done

msg256loop:
	VMOVUPS   (SI), Y0
	VSUBPS    (DX), Y0, Y2
	VMULPS    Y15, Y2, Y2
	VMULPS    Y13, Y2, Y2
	VSUBPS    Y0, Y14, Y3
	VMULPS    Y3, Y0, Y3
	VMULPS    Y3, Y2, Y2
	VMOVUPS   Y2, (DI)
	VMOVUPS   32(SI), Y0
	VSUBPS    32(DX), Y0, Y2
	VMULPS    Y15, Y2, Y2
	VMULPS    Y13, Y2, Y2
	VSUBPS    Y0, Y14, Y3
	VMULPS    Y3, Y0, Y3
	VMULPS    Y3, Y2, Y2
	VMOVUPS   Y2, 32(DI)
	VCVTPS2PD (SI), Y4
	VCVTPS2PD (DX), Y5
	VSUBPD    Y5, Y4, Y4
	VMULPD    Y4, Y4, Y4
	VADDPD    Y4, Y8, Y8
	VCVTPS2PD 16(SI), Y4
	VCVTPS2PD 16(DX), Y5
	VSUBPD    Y5, Y4, Y4
	VMULPD    Y4, Y4, Y4
	VADDPD    Y4, Y9, Y9
	VCVTPS2PD 32(SI), Y4
	VCVTPS2PD 32(DX), Y5
	VSUBPD    Y5, Y4, Y4
	VMULPD    Y4, Y4, Y4
	VADDPD    Y4, Y10, Y10
	VCVTPS2PD 48(SI), Y4
	VCVTPS2PD 48(DX), Y5
	VSUBPD    Y5, Y4, Y4
	VMULPD    Y4, Y4, Y4
	VADDPD    Y4, Y11, Y11
	ADDQ      $64, DI
	ADDQ      $64, SI
	ADDQ      $64, DX
	DECQ      CX
	JNZ       msg256loop

msg256done:
	VMOVUPD Y8, (AX)
	VMOVUPD Y9, 32(AX)
	VMOVUPD Y10, 64(AX)
	VMOVUPD Y11, 96(AX)
	VZEROUPPER
	RET

// func mseSumAVX512(p, y *float32, n int, s *sum16)
// s[i mod 16] += (float64(p) − float64(y))².
TEXT ·mseSumAVX512(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ y+8(FP), DX
	MOVQ n+16(FP), CX
	MOVQ s+24(FP), AX
	VMOVUPD (AX), Z14
	VMOVUPD 64(AX), Z15
	SHRQ $4, CX
	JZ   ms512done

ms512loop:
	VCVTPS2PD (SI), Z4
	VCVTPS2PD (DX), Z5
	VSUBPD    Z5, Z4, Z4
	VMULPD    Z4, Z4, Z4
	VADDPD    Z4, Z14, Z14
	VCVTPS2PD 32(SI), Z6
	VCVTPS2PD 32(DX), Z7
	VSUBPD    Z7, Z6, Z6
	VMULPD    Z6, Z6, Z6
	VADDPD    Z6, Z15, Z15
	ADDQ      $64, SI
	ADDQ      $64, DX
	DECQ      CX
	JNZ       ms512loop

ms512done:
	VMOVUPD Z14, (AX)
	VMOVUPD Z15, 64(AX)
	VZEROUPPER
	RET

// func mseSumAVX2(p, y *float32, n int, s *sum16)
TEXT ·mseSumAVX2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ y+8(FP), DX
	MOVQ n+16(FP), CX
	MOVQ s+24(FP), AX
	VMOVUPD (AX), Y8
	VMOVUPD 32(AX), Y9
	VMOVUPD 64(AX), Y10
	VMOVUPD 96(AX), Y11
	SHRQ $4, CX
	JZ   ms256done

ms256loop:
	VCVTPS2PD (SI), Y4
	VCVTPS2PD (DX), Y5
	VSUBPD    Y5, Y4, Y4
	VMULPD    Y4, Y4, Y4
	VADDPD    Y4, Y8, Y8
	VCVTPS2PD 16(SI), Y4
	VCVTPS2PD 16(DX), Y5
	VSUBPD    Y5, Y4, Y4
	VMULPD    Y4, Y4, Y4
	VADDPD    Y4, Y9, Y9
	VCVTPS2PD 32(SI), Y4
	VCVTPS2PD 32(DX), Y5
	VSUBPD    Y5, Y4, Y4
	VMULPD    Y4, Y4, Y4
	VADDPD    Y4, Y10, Y10
	VCVTPS2PD 48(SI), Y4
	VCVTPS2PD 48(DX), Y5
	VSUBPD    Y5, Y4, Y4
	VMULPD    Y4, Y4, Y4
	VADDPD    Y4, Y11, Y11
	ADDQ      $64, SI
	ADDQ      $64, DX
	DECQ      CX
	JNZ       ms256loop

ms256done:
	VMOVUPD Y8, (AX)
	VMOVUPD Y9, 32(AX)
	VMOVUPD Y10, 64(AX)
	VMOVUPD Y11, 96(AX)
	VZEROUPPER
	RET
