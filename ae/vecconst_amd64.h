// Offsets of the constants in ·vecConst (vec_amd64.go): entry i, 8 copies
// of one float32 bit pattern, is at 32·i.
#define C_SIGN 0
#define C_EXPMIN 32
#define C_LOG2E 64
#define C_MAGIC 96
#define C_LN2HI 128
#define C_LN2LO 160
#define C_P0 192
#define C_P1 224
#define C_P2 256
#define C_P3 288
#define C_P4 320
#define C_P5 352
#define C_ONE 384
#define C_TWO 416
#define C_127 448
// Offsets in ·vecConst64 (float64 constants, one copy each).
#define D_TWO 0
#define D_L3 8
#define D_L5 16
#define D_L7 24
#define D_L9 32
#define D_L11 40
#define D_L13 48
