//go:build !purego

#include "textflag.h"

// Bytes to float32, as bytesToFloat in bytes.go: each byte zero-extended
// to an int32, converted (exactly: it is below 2²⁴) and divided by div
// with the IEEE division DIVSS does, 16 or 8 values at a time.

// func bytesToFloatAVX512(dst *float32, src *uint8, n int, div float32)
TEXT ·bytesToFloatAVX512(SB), NOSPLIT, $0-28
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS div+24(FP), Z31
	SHRQ $4, CX
	JZ   b2f512done

b2f512loop:
	VPMOVZXBD (SI), Z0
	VCVTDQ2PS Z0, Z0
	VDIVPS    Z31, Z0, Z0
	VMOVUPS   Z0, (DI)
	ADDQ      $16, SI
	ADDQ      $64, DI
	DECQ      CX
	JNZ       b2f512loop

b2f512done:
	VZEROUPPER
	RET

// func bytesToFloatAVX2(dst *float32, src *uint8, n int, div float32)
TEXT ·bytesToFloatAVX2(SB), NOSPLIT, $0-28
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS div+24(FP), Y15
	SHRQ $3, CX
	JZ   b2f256done

b2f256loop:
	VPMOVZXBD (SI), Y0
	VCVTDQ2PS Y0, Y0
	VDIVPS    Y15, Y0, Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $8, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       b2f256loop

b2f256done:
	VZEROUPPER
	RET
