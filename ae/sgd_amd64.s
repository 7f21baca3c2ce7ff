//go:build !purego

#include "textflag.h"

// The SGD and momentum updates of sgd.go and momentum.go, vectorised with
// the same operations in the same order (see simd.go). sgdCoef's fields
// are at c+0: eta, mu, wd.

// func sgdAVX512(w, grad *float32, n int, c *sgdCoef)
// w = w − eta·(g + wd·w)
TEXT ·sgdAVX512(SB), NOSPLIT, $0-32
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), AX
	VBROADCASTSS 0(AX), Z16 // eta
	VBROADCASTSS 8(AX), Z18 // wd
	SHRQ $4, CX
	JZ   sgd512done

sgd512loop:
	VMOVUPS (DI), Z0
	VMULPS  Z18, Z0, Z2  // wd·w
	VADDPS  (SI), Z2, Z1 // g + wd·w
	VMULPS  Z16, Z1, Z1  // eta·(…)
	VSUBPS  Z1, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	DECQ    CX
	JNZ     sgd512loop

sgd512done:
	VZEROUPPER
	RET

// func sgdAVX2(w, grad *float32, n int, c *sgdCoef)
TEXT ·sgdAVX2(SB), NOSPLIT, $0-32
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), AX
	VBROADCASTSS 0(AX), Y8
	VBROADCASTSS 8(AX), Y10
	SHRQ $3, CX
	JZ   sgd256done

sgd256loop:
	VMOVUPS (DI), Y0
	VMULPS  Y10, Y0, Y2
	VADDPS  (SI), Y2, Y1
	VMULPS  Y8, Y1, Y1
	VSUBPS  Y1, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNZ     sgd256loop

sgd256done:
	VZEROUPPER
	RET

// func momentumAVX512(w, grad, v *float32, n int, c *sgdCoef)
// v = (mu·v + g) + wd·w; w = w − eta·v
TEXT ·momentumAVX512(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ v+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), AX
	VBROADCASTSS 0(AX), Z16 // eta
	VBROADCASTSS 4(AX), Z17 // mu
	VBROADCASTSS 8(AX), Z18 // wd
	SHRQ $4, CX
	JZ   mom512done

mom512loop:
	VMOVUPS (DI), Z0
	VMULPS  (R8), Z17, Z2 // mu·v
	VADDPS  (SI), Z2, Z2  // + g
	VMULPS  Z18, Z0, Z3   // wd·w
	VADDPS  Z3, Z2, Z2    // v
	VMOVUPS Z2, (R8)
	VMULPS  Z16, Z2, Z3   // eta·v
	VSUBPS  Z3, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, R8
	DECQ    CX
	JNZ     mom512loop

mom512done:
	VZEROUPPER
	RET

// func momentumAVX2(w, grad, v *float32, n int, c *sgdCoef)
TEXT ·momentumAVX2(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ v+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), AX
	VBROADCASTSS 0(AX), Y8
	VBROADCASTSS 4(AX), Y9
	VBROADCASTSS 8(AX), Y10
	SHRQ $3, CX
	JZ   mom256done

mom256loop:
	VMOVUPS (DI), Y0
	VMULPS  (R8), Y9, Y2
	VADDPS  (SI), Y2, Y2
	VMULPS  Y10, Y0, Y3
	VADDPS  Y3, Y2, Y2
	VMOVUPS Y2, (R8)
	VMULPS  Y8, Y2, Y3
	VSUBPS  Y3, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	DECQ    CX
	JNZ     mom256loop

mom256done:
	VZEROUPPER
	RET

// func nesterovAVX512(w, grad, v *float32, n int, c *sgdCoef)
// gi = g + wd·w; v = mu·v + gi; w = w − eta·(gi + mu·v)
TEXT ·nesterovAVX512(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ v+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), AX
	VBROADCASTSS 0(AX), Z16 // eta
	VBROADCASTSS 4(AX), Z17 // mu
	VBROADCASTSS 8(AX), Z18 // wd
	SHRQ $4, CX
	JZ   nes512done

nes512loop:
	VMOVUPS (DI), Z0
	VMULPS  Z18, Z0, Z1   // wd·w
	VADDPS  (SI), Z1, Z1  // gi = g + wd·w
	VMULPS  (R8), Z17, Z2 // mu·v
	VADDPS  Z1, Z2, Z2    // v = mu·v + gi
	VMOVUPS Z2, (R8)
	VMULPS  Z17, Z2, Z3   // mu·v
	VADDPS  Z3, Z1, Z3    // gi + mu·v
	VMULPS  Z16, Z3, Z3   // eta·(…)
	VSUBPS  Z3, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, R8
	DECQ    CX
	JNZ     nes512loop

nes512done:
	VZEROUPPER
	RET

// func nesterovAVX2(w, grad, v *float32, n int, c *sgdCoef)
TEXT ·nesterovAVX2(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ v+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), AX
	VBROADCASTSS 0(AX), Y8
	VBROADCASTSS 4(AX), Y9
	VBROADCASTSS 8(AX), Y10
	SHRQ $3, CX
	JZ   nes256done

nes256loop:
	VMOVUPS (DI), Y0
	VMULPS  Y10, Y0, Y1
	VADDPS  (SI), Y1, Y1
	VMULPS  (R8), Y9, Y2
	VADDPS  Y1, Y2, Y2
	VMOVUPS Y2, (R8)
	VMULPS  Y9, Y2, Y3
	VADDPS  Y3, Y1, Y3
	VMULPS  Y8, Y3, Y3
	VSUBPS  Y3, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	DECQ    CX
	JNZ     nes256loop

nes256done:
	VZEROUPPER
	RET
