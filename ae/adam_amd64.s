//go:build !purego

#include "textflag.h"

// The Adam update of adam.go, vectorised. Per parameter, in this order:
//	gi = g + wd·w
//	m  = b1·m + c1·gi
//	v  = b2·v + (c2·gi)·gi
//	w  = w − (step·m) / (√v·invSqrtC2 + eps)
// adamCoef's fields are at c+0: wd, b1, c1, b2, c2, invSqrtC2, eps, step.

// func adamAVX512(w, grad, m, v *float32, n int, c *adamCoef)
TEXT ·adamAVX512(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSS 0(AX), Z16  // wd
	VBROADCASTSS 4(AX), Z17  // b1
	VBROADCASTSS 8(AX), Z18  // c1
	VBROADCASTSS 12(AX), Z19 // b2
	VBROADCASTSS 16(AX), Z20 // c2
	VBROADCASTSS 20(AX), Z21 // invSqrtC2
	VBROADCASTSS 24(AX), Z22 // eps
	VBROADCASTSS 28(AX), Z23 // step
	SHRQ $4, CX
	JZ   done512

loop512:
	VMOVUPS (DI), Z0         // w
	VMOVUPS (SI), Z1         // g
	VMOVUPS (R8), Z2         // m
	VMOVUPS (R9), Z3         // v
	VMULPS  Z16, Z0, Z4      // wd·w
	VADDPS  Z4, Z1, Z1       // gi = g + wd·w
	VMULPS  Z17, Z2, Z2      // b1·m
	VMULPS  Z18, Z1, Z5      // c1·gi
	VADDPS  Z5, Z2, Z2       // m = b1·m + c1·gi
	VMULPS  Z20, Z1, Z6      // c2·gi
	VMULPS  Z1, Z6, Z6       // (c2·gi)·gi
	VMULPS  Z19, Z3, Z3      // b2·v
	VADDPS  Z6, Z3, Z3       // v = b2·v + c2·gi·gi
	VMOVUPS Z2, (R8)
	VMOVUPS Z3, (R9)
	VSQRTPS Z3, Z7           // √v
	VMULPS  Z21, Z7, Z7      // √v·invSqrtC2
	VADDPS  Z22, Z7, Z7      // … + eps
	VMULPS  Z23, Z2, Z8      // step·m
	VDIVPS  Z7, Z8, Z8       // step·m / (√v·invSqrtC2 + eps)
	VSUBPS  Z8, Z0, Z0       // w − …
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, R8
	ADDQ    $64, R9
	DECQ    CX
	JNZ     loop512

done512:
	VZEROUPPER
	RET

// func adamAVX2(w, grad, m, v *float32, n int, c *adamCoef)
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSS 0(AX), Y8   // wd
	VBROADCASTSS 4(AX), Y9   // b1
	VBROADCASTSS 8(AX), Y10  // c1
	VBROADCASTSS 12(AX), Y11 // b2
	VBROADCASTSS 16(AX), Y12 // c2
	VBROADCASTSS 20(AX), Y13 // invSqrtC2
	VBROADCASTSS 24(AX), Y14 // eps
	VBROADCASTSS 28(AX), Y15 // step
	SHRQ $3, CX
	JZ   done256

loop256:
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMOVUPS (R8), Y2
	VMOVUPS (R9), Y3
	VMULPS  Y8, Y0, Y4
	VADDPS  Y4, Y1, Y1
	VMULPS  Y9, Y2, Y2
	VMULPS  Y10, Y1, Y5
	VADDPS  Y5, Y2, Y2
	VMULPS  Y12, Y1, Y6
	VMULPS  Y1, Y6, Y6
	VMULPS  Y11, Y3, Y3
	VADDPS  Y6, Y3, Y3
	VMOVUPS Y2, (R8)
	VMOVUPS Y3, (R9)
	VSQRTPS Y3, Y7
	VMULPS  Y13, Y7, Y7
	VADDPS  Y14, Y7, Y7
	VMULPS  Y15, Y2, Y4
	VDIVPS  Y7, Y4, Y4
	VSUBPS  Y4, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	DECQ    CX
	JNZ     loop256

done256:
	VZEROUPPER
	RET
