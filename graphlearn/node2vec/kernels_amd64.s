//go:build amd64 && !purego

#include "textflag.h"

// func dotsAVX2(res, in, out *float32, rows *int32, k, dim, rowStride int)
//
// For each target j: four 8-lane FMA accumulators over blocks of 32, then
// blocks of 8, then a horizontal sum. Targets are independent, so the CPU
// overlaps one target's reduction with the next one's loads.
TEXT ·dotsAVX2(SB), NOSPLIT, $0-56
	MOVQ res+0(FP), AX
	MOVQ in+8(FP), SI
	MOVQ out+16(FP), DI
	MOVQ rows+24(FP), BX
	MOVQ k+32(FP), CX
	MOVQ dim+40(FP), R8
	MOVQ rowStride+48(FP), R12
	SHLQ $2, R12                // row stride in bytes
	XORQ R10, R10               // j

dtarget:
	MOVLQSX (BX)(R10*4), R11
	IMULQ   R12, R11
	ADDQ    DI, R11             // R11 = &out[rows[j]*rowStride]
	MOVQ    SI, R13             // R13 = &in[0]
	MOVQ    R8, R9              // elements left
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3

d32:
	CMPQ        R9, $32
	JL          d8
	VMOVUPS     (R13), Y4
	VMOVUPS     32(R13), Y5
	VMOVUPS     64(R13), Y6
	VMOVUPS     96(R13), Y7
	VFMADD231PS (R11), Y4, Y0
	VFMADD231PS 32(R11), Y5, Y1
	VFMADD231PS 64(R11), Y6, Y2
	VFMADD231PS 96(R11), Y7, Y3
	ADDQ        $128, R13
	ADDQ        $128, R11
	SUBQ        $32, R9
	JMP         d32

d8:
	CMPQ        R9, $8
	JL          dsum
	VMOVUPS     (R13), Y4
	VFMADD231PS (R11), Y4, Y0
	ADDQ        $32, R13
	ADDQ        $32, R11
	SUBQ        $8, R9
	JMP         d8

dsum:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VMOVSS       X0, (AX)(R10*4)
	INCQ         R10
	CMPQ         R10, CX
	JL           dtarget
	VZEROUPPER
	RET

// func pairUpdateAVX2(in, out *float32, rows *int32, gs *float32, k, dim, rowStride int)
//
// Chunk-major: for each block of 32 (then 8) elements, keep in and the input
// gradient in registers and sweep the k targets:
//   acc += g_j·out_j;  out_j += g_j·in
// then in += acc. Four independent accumulators hide the FMA latency of the
// acc chain.
TEXT ·pairUpdateAVX2(SB), NOSPLIT, $0-56
	MOVQ in+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ rows+16(FP), BX
	MOVQ gs+24(FP), DX
	MOVQ k+32(FP), CX
	MOVQ dim+40(FP), R9
	MOVQ rowStride+48(FP), R8
	SHLQ $2, R8                 // row stride in bytes

u32:
	CMPQ    R9, $32
	JL      u8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VXORPS  Y4, Y4, Y4
	VXORPS  Y5, Y5, Y5
	VXORPS  Y6, Y6, Y6
	VXORPS  Y7, Y7, Y7
	XORQ    R10, R10

u32t:
	MOVLQSX      (BX)(R10*4), R11
	IMULQ        R8, R11
	VBROADCASTSS (DX)(R10*4), Y8
	VMOVUPS      (DI)(R11*1), Y9
	VMOVUPS      32(DI)(R11*1), Y10
	VMOVUPS      64(DI)(R11*1), Y11
	VMOVUPS      96(DI)(R11*1), Y12
	VFMADD231PS  Y9, Y8, Y4
	VFMADD231PS  Y10, Y8, Y5
	VFMADD231PS  Y11, Y8, Y6
	VFMADD231PS  Y12, Y8, Y7
	VFMADD231PS  Y0, Y8, Y9
	VFMADD231PS  Y1, Y8, Y10
	VFMADD231PS  Y2, Y8, Y11
	VFMADD231PS  Y3, Y8, Y12
	VMOVUPS      Y9, (DI)(R11*1)
	VMOVUPS      Y10, 32(DI)(R11*1)
	VMOVUPS      Y11, 64(DI)(R11*1)
	VMOVUPS      Y12, 96(DI)(R11*1)
	INCQ         R10
	CMPQ         R10, CX
	JL           u32t
	VADDPS       Y4, Y0, Y0
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	VMOVUPS      Y0, (SI)
	VMOVUPS      Y1, 32(SI)
	VMOVUPS      Y2, 64(SI)
	VMOVUPS      Y3, 96(SI)
	ADDQ         $128, SI
	ADDQ         $128, DI
	SUBQ         $32, R9
	JMP          u32

u8:
	CMPQ    R9, $8
	JL      udone
	VMOVUPS (SI), Y0
	VXORPS  Y4, Y4, Y4
	XORQ    R10, R10

u8t:
	MOVLQSX      (BX)(R10*4), R11
	IMULQ        R8, R11
	VBROADCASTSS (DX)(R10*4), Y8
	VMOVUPS      (DI)(R11*1), Y9
	VFMADD231PS  Y9, Y8, Y4
	VFMADD231PS  Y0, Y8, Y9
	VMOVUPS      Y9, (DI)(R11*1)
	INCQ         R10
	CMPQ         R10, CX
	JL           u8t
	VADDPS       Y4, Y0, Y0
	VMOVUPS      Y0, (SI)
	ADDQ         $32, SI
	ADDQ         $32, DI
	SUBQ         $8, R9
	JMP          u8

udone:
	VZEROUPPER
	RET

// func prefetchRowsAsm(out *float32, rows *int32, k, rowBytes int)
TEXT ·prefetchRowsAsm(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ rows+8(FP), BX
	MOVQ k+16(FP), CX
	MOVQ rowBytes+24(FP), R8
	XORQ R10, R10

prow:
	CMPQ    R10, CX
	JGE     pdone
	MOVLQSX (BX)(R10*4), R11
	IMULQ   R8, R11
	ADDQ    DI, R11
	MOVQ    R8, R9

pline:
	PREFETCHT0 (R11)
	ADDQ       $64, R11
	SUBQ       $64, R9
	JG         pline
	INCQ       R10
	JMP        prow

pdone:
	RET

// func dotsAVX512(res, in, out *float32, rows *int32, k, dim, rowStride int)
//
// dotsAVX2 with 16-lane registers; dim is a positive multiple of 16.
TEXT ·dotsAVX512(SB), NOSPLIT, $0-56
	MOVQ res+0(FP), AX
	MOVQ in+8(FP), SI
	MOVQ out+16(FP), DI
	MOVQ rows+24(FP), BX
	MOVQ k+32(FP), CX
	MOVQ dim+40(FP), R8
	MOVQ rowStride+48(FP), R12
	SHLQ $2, R12
	XORQ R10, R10

ztarget:
	MOVLQSX (BX)(R10*4), R11
	IMULQ   R12, R11
	ADDQ    DI, R11
	MOVQ    SI, R13
	MOVQ    R8, R9
	VXORPS  Z0, Z0, Z0
	VXORPS  Z1, Z1, Z1
	VXORPS  Z2, Z2, Z2
	VXORPS  Z3, Z3, Z3

z64:
	CMPQ        R9, $64
	JL          z16
	VMOVUPS     (R13), Z4
	VMOVUPS     64(R13), Z5
	VMOVUPS     128(R13), Z6
	VMOVUPS     192(R13), Z7
	VFMADD231PS (R11), Z4, Z0
	VFMADD231PS 64(R11), Z5, Z1
	VFMADD231PS 128(R11), Z6, Z2
	VFMADD231PS 192(R11), Z7, Z3
	ADDQ        $256, R13
	ADDQ        $256, R11
	SUBQ        $64, R9
	JMP         z64

z16:
	CMPQ        R9, $16
	JL          zsum
	VMOVUPS     (R13), Z4
	VFMADD231PS (R11), Z4, Z0
	ADDQ        $64, R13
	ADDQ        $64, R11
	SUBQ        $16, R9
	JMP         z16

zsum:
	VADDPS        Z1, Z0, Z0
	VADDPS        Z3, Z2, Z2
	VADDPS        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VHADDPS       X0, X0, X0
	VHADDPS       X0, X0, X0
	VMOVSS        X0, (AX)(R10*4)
	INCQ          R10
	CMPQ          R10, CX
	JL            ztarget
	VZEROUPPER
	RET

// func pairUpdateAVX512(in, out *float32, rows *int32, gs *float32, k, dim, rowStride int)
//
// pairUpdateAVX2 with 16-lane registers; dim is a positive multiple of 16.
TEXT ·pairUpdateAVX512(SB), NOSPLIT, $0-56
	MOVQ in+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ rows+16(FP), BX
	MOVQ gs+24(FP), DX
	MOVQ k+32(FP), CX
	MOVQ dim+40(FP), R9
	MOVQ rowStride+48(FP), R8
	SHLQ $2, R8

v64:
	CMPQ    R9, $64
	JL      v16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VXORPS  Z4, Z4, Z4
	VXORPS  Z5, Z5, Z5
	VXORPS  Z6, Z6, Z6
	VXORPS  Z7, Z7, Z7
	XORQ    R10, R10

v64t:
	MOVLQSX      (BX)(R10*4), R11
	IMULQ        R8, R11
	VBROADCASTSS (DX)(R10*4), Z8
	VMOVUPS      (DI)(R11*1), Z9
	VMOVUPS      64(DI)(R11*1), Z10
	VMOVUPS      128(DI)(R11*1), Z11
	VMOVUPS      192(DI)(R11*1), Z12
	VFMADD231PS  Z9, Z8, Z4
	VFMADD231PS  Z10, Z8, Z5
	VFMADD231PS  Z11, Z8, Z6
	VFMADD231PS  Z12, Z8, Z7
	VFMADD231PS  Z0, Z8, Z9
	VFMADD231PS  Z1, Z8, Z10
	VFMADD231PS  Z2, Z8, Z11
	VFMADD231PS  Z3, Z8, Z12
	VMOVUPS      Z9, (DI)(R11*1)
	VMOVUPS      Z10, 64(DI)(R11*1)
	VMOVUPS      Z11, 128(DI)(R11*1)
	VMOVUPS      Z12, 192(DI)(R11*1)
	INCQ         R10
	CMPQ         R10, CX
	JL           v64t
	VADDPS       Z4, Z0, Z0
	VADDPS       Z5, Z1, Z1
	VADDPS       Z6, Z2, Z2
	VADDPS       Z7, Z3, Z3
	VMOVUPS      Z0, (SI)
	VMOVUPS      Z1, 64(SI)
	VMOVUPS      Z2, 128(SI)
	VMOVUPS      Z3, 192(SI)
	ADDQ         $256, SI
	ADDQ         $256, DI
	SUBQ         $64, R9
	JMP          v64

v16:
	CMPQ    R9, $16
	JL      vdone
	VMOVUPS (SI), Z0
	VXORPS  Z4, Z4, Z4
	XORQ    R10, R10

v16t:
	MOVLQSX      (BX)(R10*4), R11
	IMULQ        R8, R11
	VBROADCASTSS (DX)(R10*4), Z8
	VMOVUPS      (DI)(R11*1), Z9
	VFMADD231PS  Z9, Z8, Z4
	VFMADD231PS  Z0, Z8, Z9
	VMOVUPS      Z9, (DI)(R11*1)
	INCQ         R10
	CMPQ         R10, CX
	JL           v16t
	VADDPS       Z4, Z0, Z0
	VMOVUPS      Z0, (SI)
	ADDQ         $64, SI
	ADDQ         $64, DI
	SUBQ         $16, R9
	JMP          v16

vdone:
	VZEROUPPER
	RET
