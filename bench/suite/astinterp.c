// A tree-walking interpreter: a tokenizer and a recursive-descent parser turn the source of
// a small language (assignment, while, if/else, print, integer expressions over variables
// a-z) into a tree of malloc'd nodes, which is then evaluated by recursion over the tree.
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { NUM, VAR, BINARY, ASSIGN, WHILE, IF, PRINT, BLOCK } Kind;

typedef struct Node {
  Kind kind;
  char op;         // BINARY: + - * / % < = (for ==) ! (for !=)
  int64_t value;   // NUM
  int var;         // VAR, ASSIGN
  struct Node *a, *b, *c;  // operands; BLOCK: a is the statement, b the rest
} Node;

static const char* src;
static int64_t vars[26];
static uint64_t printed;

static Node* node(Kind kind) {
  Node* n = calloc(1, sizeof(Node));
  if (!n) exit(1);
  n->kind = kind;
  return n;
}

static void skip_space(void) {
  while (isspace((unsigned char)*src)) src++;
}

static int accept(const char* token) {
  skip_space();
  size_t len = strlen(token);
  if (strncmp(src, token, len) != 0) return 0;
  src += len;
  return 1;
}

static void expect(const char* token) {
  if (!accept(token)) {
    printf("parse error at '%.20s': expected '%s'\n", src, token);
    exit(1);
  }
}

static Node* expression(void);

static Node* primary(void) {
  skip_space();
  if (accept("(")) {
    Node* e = expression();
    expect(")");
    return e;
  }
  if (isdigit((unsigned char)*src)) {
    Node* n = node(NUM);
    while (isdigit((unsigned char)*src)) n->value = n->value * 10 + (*src++ - '0');
    return n;
  }
  if (*src >= 'a' && *src <= 'z') {
    Node* n = node(VAR);
    n->var = *src++ - 'a';
    return n;
  }
  printf("parse error at '%.20s'\n", src);
  exit(1);
}

static Node* binary(char op, Node* a, Node* b) {
  Node* n = node(BINARY);
  n->op = op;
  n->a = a;
  n->b = b;
  return n;
}

// One level of left-associative operators: operands joined by any of ops.
static Node* operators(Node* (*operand)(void), const char* ops) {
  Node* left = operand();
  for (;;) {
    skip_space();
    if (*src == '\0' || !strchr(ops, *src)) return left;
    char op = *src++;
    left = binary(op, left, operand());
  }
}

static Node* term(void) { return operators(primary, "*/%"); }

static Node* sum(void) { return operators(term, "+-"); }

static Node* expression(void) {
  Node* left = sum();
  if (accept("==")) return binary('=', left, sum());
  if (accept("!=")) return binary('!', left, sum());
  if (accept("<")) return binary('<', left, sum());
  return left;
}

static Node* statement(void);

static Node* block(void) {
  expect("{");
  Node* head = NULL;
  Node** tail = &head;
  while (!accept("}")) {
    Node* b = node(BLOCK);
    b->a = statement();
    *tail = b;
    tail = &b->b;
  }
  return head ? head : node(BLOCK);
}

// A condition in parentheses and a block: the head of while and of if.
static Node* guarded(Kind kind) {
  Node* n = node(kind);
  expect("(");
  n->a = expression();
  expect(")");
  n->b = block();
  return n;
}

static Node* statement(void) {
  if (accept("while")) return guarded(WHILE);
  if (accept("if")) {
    Node* n = guarded(IF);
    if (accept("else")) n->c = block();
    return n;
  }
  if (accept("print")) {
    Node* n = node(PRINT);
    n->a = expression();
    expect(";");
    return n;
  }
  skip_space();
  Node* n = node(ASSIGN);
  n->var = *src++ - 'a';
  expect("=");
  n->a = expression();
  expect(";");
  return n;
}

static int64_t eval(const Node* n) {
  switch (n->kind) {
    case NUM: return n->value;
    case VAR: return vars[n->var];
    case BINARY: {
      int64_t x = eval(n->a), y = eval(n->b);
      switch (n->op) {
        case '+': return x + y;
        case '-': return x - y;
        case '*': return x * y;
        case '/': return y ? x / y : 0;
        case '%': return y ? x % y : 0;
        case '<': return x < y;
        case '=': return x == y;
        default: return x != y;
      }
    }
    case ASSIGN: vars[n->var] = eval(n->a); return 0;
    case WHILE: while (eval(n->a)) eval(n->b); return 0;
    case IF:
      if (eval(n->a)) eval(n->b);
      else if (n->c) eval(n->c);
      return 0;
    case PRINT: {
      int64_t v = eval(n->a);
      printed = printed * 1000003u + (uint64_t)v;
      printf("%lld\n", (long long)v);
      return 0;
    }
    case BLOCK:
      for (; n && n->a; n = n->b) eval(n->a);
      return 0;
  }
  return 0;
}

static void release(Node* n) {
  if (!n) return;
  release(n->a);
  release(n->b);
  release(n->c);
  free(n);
}

static const char kProgram[] =
    "{"
    "  c = 0;"
    "  while (c < 300) {"           // Pythagorean triples with c < 300, by brute force
    "    b = 1;"
    "    while (b < c) {"
    "      a = 1;"
    "      while (a < b + 1) {"
    "        if (a * a + b * b == c * c) { t = t + 1; s = s + a + b + c; }"
    "        a = a + 1;"
    "      }"
    "      b = b + 1;"
    "    }"
    "    c = c + 1;"
    "  }"
    "  print t; print s;"
    "  n = 0; d = 0;"               // digit sums of 0 .. 2500000
    "  while (n < 2500000) {"
    "    m = n; while (m != 0) { d = d + m % 10; m = m / 10; }"
    "    n = n + 1;"
    "  }"
    "  print d;"
    "  f = 0; g = 1; i = 0;"        // Fibonacci modulo a prime
    "  while (i < 3500000) { h = (f + g) % 1000000007; f = g; g = h; i = i + 1; }"
    "  print f;"
    "}";

int main(void) {
  src = kProgram;
  Node* program = block();
  eval(program);
  printf("checksum %llu\n", (unsigned long long)printed);
  release(program);
  return 0;
}
