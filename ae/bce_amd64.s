//go:build !purego

#include "textflag.h"
#include "vecconst_amd64.h"

// The BCE loop of loss.go (outputGrad and lossSum with bceValue and
// softplusTail of loss.go, expNeg32 of exp32.go), 16 values at a time: the
// same operations in the same order, without FMA (see simd.go): e^−|z| in
// float32 for 16 lanes, the rest in float64 for two halves of 8. The
// float64 terms go to the 16 lanes of a sum16 in the Go loop's order
// s[i mod 16].

// func bceAVX512(dz, z, p, y *float32, n int, scale float32, s *sum16)
// s[i mod 16] += (max(z, 0) − z·y) + softplusTail(z), in float64;
// unless dz is nil, dz = scale·(p − y).
TEXT ·bceAVX512(SB), NOSPLIT, $8-56
	MOVQ dz+0(FP), DI
	MOVQ z+8(FP), SI
	MOVQ p+16(FP), BX
	MOVQ y+24(FP), DX
	MOVQ n+32(FP), CX
	VBROADCASTSS scale+40(FP), Z9
	MOVQ s+48(FP), AX
	VBROADCASTSD ·vecConst64+D_TWO(SB), Z10
	VBROADCASTSD ·vecConst64+D_L3(SB), Z11
	VBROADCASTSD ·vecConst64+D_L5(SB), Z12
	VBROADCASTSD ·vecConst64+D_L7(SB), Z13
	VBROADCASTSD ·vecConst64+D_L9(SB), Z14
	VBROADCASTSD ·vecConst64+D_L11(SB), Z15
	VBROADCASTSD ·vecConst64+D_L13(SB), Z31
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
	VPXORD  Z30, Z30, Z30
	VMOVUPD (AX), Z7
	VMOVUPD 64(AX), Z8
	SHRQ $4, CX
	JZ   bce512done

bce512loop:
	TESTQ DI, DI
	JZ    bce512value
	VMOVUPS (BX), Z0
	VSUBPS  (DX), Z0, Z0      // p − y
	VMULPS  Z0, Z9, Z0        // scale·(p − y)
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI

bce512value:
	// u = expNeg32(−|z|), as sigmoidAVX512 computes it.
	VMOVUPS (SI), Z0
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
	VMULPS  Z3, Z5, Z5        // u = e^x
	VMOVUPS Z5, Z6            // keep u: Z5 is reused below
	// Lanes 0–7 in float64: (max(z, 0) − z·y) + softplusTail.
	VCVTPS2PD Y6, Z4          // u
	CALL    bcetail<>(SB)     // Z4 = softplusTail
	VCVTPS2PD (SI), Z0        // z
	VCVTPS2PD (DX), Z1        // y
	VMULPD    Z1, Z0, Z1      // z·y
	VMAXPD    Z30, Z0, Z0     // max(z, 0): +0 for ±0, like Go's max
	VSUBPD    Z1, Z0, Z0
	VADDPD    Z4, Z0, Z0
	VADDPD    Z0, Z7, Z7
	// Lanes 8–15.
	VEXTRACTF64X4 $1, Z6, Y4
	VCVTPS2PD Y4, Z4
	CALL    bcetail<>(SB)
	VCVTPS2PD 32(SI), Z0
	VCVTPS2PD 32(DX), Z1
	VMULPD    Z1, Z0, Z1
	VMAXPD    Z30, Z0, Z0
	VSUBPD    Z1, Z0, Z0
	VADDPD    Z4, Z0, Z0
	VADDPD    Z0, Z8, Z8
	ADDQ      $64, SI
	ADDQ      $64, BX
	ADDQ      $64, DX
	DECQ      CX
	JNZ       bce512loop

bce512done:
	VMOVUPD Z7, (AX)
	VMOVUPD Z8, 64(AX)
	VZEROUPPER
	RET

// bcetail replaces the 8 float64 values u in Z4 by softplusTail's
// 2·(s + (s·s²)·q(s²)), s = u/(2 + u). It uses Z1–Z3 and the constants in
// Z10–Z15 and Z31.
TEXT bcetail<>(SB), NOSPLIT, $0-0
	VADDPD  Z10, Z4, Z1       // 2 + u
	VDIVPD  Z1, Z4, Z1        // s
	VMULPD  Z1, Z1, Z2        // s²
	VMULPD  Z31, Z2, Z3       // lnC13·s²
	VADDPD  Z15, Z3, Z3       // + lnC11
	VMULPD  Z2, Z3, Z3
	VADDPD  Z14, Z3, Z3       // ·s² + lnC9
	VMULPD  Z2, Z3, Z3
	VADDPD  Z13, Z3, Z3       // ·s² + lnC7
	VMULPD  Z2, Z3, Z3
	VADDPD  Z12, Z3, Z3       // ·s² + lnC5
	VMULPD  Z2, Z3, Z3
	VADDPD  Z11, Z3, Z3       // ·s² + lnC3
	VMULPD  Z2, Z1, Z4        // s·s²
	VMULPD  Z3, Z4, Z4        // ·q
	VADDPD  Z4, Z1, Z4        // s + …
	VMULPD  Z4, Z10, Z4       // 2·(…)
	RET
