// A register-machine bytecode interpreter: a dispatch loop over a switch, running a program
// that counts primes by trial division and sums a Collatz walk. Indirect branches and small
// loads from an instruction array.
#include <stdint.h>
#include <stdio.h>

enum Op { LOADI, MOV, ADD, SUB, MUL, DIV, REM, ADDI, JMP, JLT, JGE, JEQ, JNE, HALT };

typedef struct {
  uint8_t op, a, b, c;  // registers; c or imm below as the operand
  int32_t imm;
} Insn;

static int64_t run(const Insn* code, int64_t* r) {
  for (const Insn* pc = code;;) {
    const Insn* i = pc++;
    switch (i->op) {
      case LOADI: r[i->a] = i->imm; break;
      case MOV: r[i->a] = r[i->b]; break;
      case ADD: r[i->a] = r[i->b] + r[i->c]; break;
      case SUB: r[i->a] = r[i->b] - r[i->c]; break;
      case MUL: r[i->a] = r[i->b] * r[i->c]; break;
      case DIV: r[i->a] = r[i->b] / r[i->c]; break;
      case REM: r[i->a] = r[i->b] % r[i->c]; break;
      case ADDI: r[i->a] = r[i->b] + i->imm; break;
      case JMP: pc = code + i->imm; break;
      case JLT: if (r[i->a] < r[i->b]) pc = code + i->imm; break;
      case JGE: if (r[i->a] >= r[i->b]) pc = code + i->imm; break;
      case JEQ: if (r[i->a] == r[i->b]) pc = code + i->imm; break;
      case JNE: if (r[i->a] != r[i->b]) pc = code + i->imm; break;
      case HALT: return r[i->a];
    }
  }
}

// r0 = limit, r1 = n, r2 = d, r3 = d*d, r4 = remainder, r5 = primes, r6 = 0, r7 = 1,
// r8 = Collatz x, r9 = 3, r10 = 2, r11 = Collatz steps
static const Insn program[] = {
    /* 0 */ {LOADI, 0, 0, 0, 150000},
    /* 1 */ {LOADI, 1, 0, 0, 2},
    /* 2 */ {LOADI, 5, 0, 0, 0},
    /* 3 */ {LOADI, 6, 0, 0, 0},
    /* 4 */ {LOADI, 7, 0, 0, 1},
    /* 5 */ {LOADI, 9, 0, 0, 3},
    /* 6 */ {LOADI, 10, 0, 0, 2},
    /* 7 */ {LOADI, 11, 0, 0, 0},
    /* 8: for n in [2, limit) */ {JGE, 1, 0, 0, 29},
    /* 9 */ {LOADI, 2, 0, 0, 2},
    /* 10: trial division */ {MUL, 3, 2, 2, 0},
    /* 11 */ {JLT, 1, 3, 0, 16},  // n < d*d: prime
    /* 12 */ {REM, 4, 1, 2, 0},
    /* 13 */ {JEQ, 4, 6, 0, 27},  // divisible: next n
    /* 14 */ {ADDI, 2, 2, 0, 1},
    /* 15 */ {JMP, 0, 0, 0, 10},
    /* 16: prime */ {ADDI, 5, 5, 0, 1},
    /* 17 */ {MOV, 8, 1, 0, 0},
    /* 18: Collatz walk */ {JEQ, 8, 7, 0, 27},
    /* 19 */ {ADDI, 11, 11, 0, 1},
    /* 20 */ {REM, 4, 8, 10, 0},
    /* 21 */ {JEQ, 4, 6, 0, 25},  // even
    /* 22 */ {MUL, 8, 8, 9, 0},   // odd: 3x + 1
    /* 23 */ {ADDI, 8, 8, 0, 1},
    /* 24 */ {JMP, 0, 0, 0, 18},
    /* 25: even */ {DIV, 8, 8, 10, 0},
    /* 26 */ {JMP, 0, 0, 0, 18},
    /* 27: next n */ {ADDI, 1, 1, 0, 1},
    /* 28 */ {JMP, 0, 0, 0, 8},
    /* 29: done, result = primes * 1000003 + steps */ {LOADI, 3, 0, 0, 1000003},
    /* 30 */ {MUL, 5, 5, 3, 0},
    /* 31 */ {ADD, 5, 5, 11, 0},
    /* 32 */ {HALT, 5, 0, 0, 0},
};

int main(void) {
  uint64_t checksum = 0;
  for (int rep = 0; rep < 9; ++rep) {
    int64_t regs[16] = {0};
    Insn code[sizeof program / sizeof program[0]];
    for (unsigned k = 0; k < sizeof program / sizeof program[0]; ++k) code[k] = program[k];
    code[0].imm = 150000 + rep * 1000;  // the limit differs per run, so nothing is folded
    checksum = checksum * 31 + (uint64_t)run(code, regs);
  }
  printf("%llu\n", (unsigned long long)checksum);
  return 0;
}
