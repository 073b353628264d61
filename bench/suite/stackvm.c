// A stack-based bytecode virtual machine (operand stack, call frames with locals, a switch
// over opcodes) running a small program: recursive Fibonacci, a nested-loop sum and a
// greatest-common-divisor table, assembled into the code array at start.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum Op {
  PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, LT, JMP, JZ, CALL, RET, POP, DUP, PRINT, HALT
};

enum { STACK = 1024, FRAMES = 1024, LOCALS = 8 };

typedef struct {
  int32_t* code;
  int size, capacity;
} Program;

static void emit(Program* p, int32_t word) {
  if (p->size == p->capacity) {
    p->capacity = p->capacity ? p->capacity * 2 : 64;
    p->code = realloc(p->code, p->capacity * sizeof(int32_t));
    if (!p->code) exit(1);
  }
  p->code[p->size++] = word;
}

#define E1(op) emit(&prog, op)
#define E2(op, arg) (emit(&prog, op), emit(&prog, arg))

typedef struct {
  int return_pc;
  int64_t locals[LOCALS];
} Frame;

static uint64_t checksum;

static void run(const int32_t* code, int entry) {
  int64_t stack[STACK];
  static Frame frames[FRAMES];
  int sp = 0, fp = 0, pc = entry;
  frames[0].return_pc = -1;
  for (;;) {
    switch (code[pc++]) {
      case PUSH: stack[sp++] = code[pc++]; break;
      case LOAD: stack[sp++] = frames[fp].locals[code[pc++]]; break;
      case STORE: frames[fp].locals[code[pc++]] = stack[--sp]; break;
      case ADD: sp--; stack[sp - 1] += stack[sp]; break;
      case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
      case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
      case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
      case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case JMP: pc = code[pc]; break;
      case JZ: pc = stack[--sp] ? pc + 1 : code[pc]; break;
      case CALL: {  // CALL target nargs: arguments move from the stack into the new frame
        int target = code[pc], nargs = code[pc + 1];
        Frame* f = &frames[++fp];
        f->return_pc = pc + 2;
        for (int i = nargs - 1; i >= 0; i--) f->locals[i] = stack[--sp];
        pc = target;
        break;
      }
      case RET: pc = frames[fp--].return_pc; break;  // the result stays on the stack
      case POP: sp--; break;
      case DUP: stack[sp] = stack[sp - 1]; sp++; break;
      case PRINT: checksum = checksum * 1000003 + (uint64_t)stack[--sp]; printf("%lld\n", (long long)stack[sp]); break;
      case HALT: return;
    }
  }
}

int main(void) {
  Program prog = {0};
  // fib(n): if n < 2 return n; return fib(n - 1) + fib(n - 2)
  int fib = prog.size;
  E2(LOAD, 0), E2(PUSH, 2), E1(LT);
  int not_small = prog.size + 1;
  E2(JZ, 0);
  E2(LOAD, 0), E1(RET);
  prog.code[not_small] = prog.size;
  E2(LOAD, 0), E2(PUSH, 1), E1(SUB), E2(CALL, fib), emit(&prog, 1);
  E2(LOAD, 0), E2(PUSH, 2), E1(SUB), E2(CALL, fib), emit(&prog, 1);
  E1(ADD), E1(RET);
  // gcd(a, b): while b != 0 { t = a % b; a = b; b = t } return a
  int gcd = prog.size;
  int gcd_loop = prog.size;
  E2(LOAD, 1);
  int gcd_done = prog.size + 1;
  E2(JZ, 0);
  E2(LOAD, 0), E2(LOAD, 1), E1(MOD), E2(STORE, 2);
  E2(LOAD, 1), E2(STORE, 0), E2(LOAD, 2), E2(STORE, 1), E2(JMP, gcd_loop);
  prog.code[gcd_done] = prog.size;
  E2(LOAD, 0), E1(RET);
  // main: print fib(27); s = sum over i, j < 2000 of gcd(i + 1, j + 1) * (i % 7 + 1); print s;
  // print fib(35)
  int entry = prog.size;
  E2(PUSH, 27), E2(CALL, fib), emit(&prog, 1), E1(PRINT);
  E2(PUSH, 0), E2(STORE, 2);  // s
  E2(PUSH, 0), E2(STORE, 0);  // i
  int outer = prog.size;
  E2(LOAD, 0), E2(PUSH, 2000), E1(LT);
  int outer_exit = prog.size + 1;
  E2(JZ, 0);
  E2(PUSH, 0), E2(STORE, 1);  // j
  int inner = prog.size;
  E2(LOAD, 1), E2(PUSH, 2000), E1(LT);
  int inner_exit = prog.size + 1;
  E2(JZ, 0);
  E2(LOAD, 2), E2(LOAD, 0), E2(PUSH, 1), E1(ADD), E2(LOAD, 1), E2(PUSH, 1), E1(ADD);
  E2(CALL, gcd), emit(&prog, 2);
  E2(LOAD, 0), E2(PUSH, 7), E1(MOD), E2(PUSH, 1), E1(ADD), E1(MUL), E1(ADD), E2(STORE, 2);
  E2(LOAD, 1), E2(PUSH, 1), E1(ADD), E2(STORE, 1), E2(JMP, inner);
  prog.code[inner_exit] = prog.size;
  E2(LOAD, 0), E2(PUSH, 1), E1(ADD), E2(STORE, 0), E2(JMP, outer);
  prog.code[outer_exit] = prog.size;
  E2(LOAD, 2), E1(PRINT);
  E2(PUSH, 35), E2(CALL, fib), emit(&prog, 1), E1(PRINT);
  E1(HALT);

  run(prog.code, entry);
  printf("checksum %llu\n", (unsigned long long)checksum);
  free(prog.code);
  return 0;
}
