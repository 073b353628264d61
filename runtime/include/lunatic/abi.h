/* The contract between code that lunaticc generates and the runtime it links with.
 *
 * This header is the single definition of the instance layout, the module descriptor and
 * the runtime entry points that generated code calls. The compiler includes it and takes
 * every field offset from it with offsetof, so the two sides cannot drift apart. Change a
 * layout here and bump LUNATIC_ABI_VERSION; nothing else needs to be kept in sync by hand.
 *
 * Conventions of generated code:
 *  - Every Wasm function becomes a native function `R f(lunatic_instance* self, P...)`
 *    with the C calling convention. i32/i64/f32/f64 map to the C types, v128 to a 16-byte
 *    vector (<2 x i64>), funcref and externref to pointers. Several results come back as a
 *    struct of the result types in order (LLVM first-class aggregate return).
 *  - Every defined function that may escape (exported, placed in a table, or taken by
 *    ref.func) also gets an "array entry" `void e(lunatic_instance*, lunatic_value*)` that
 *    reads the parameters from the array and writes the results over it, so the runtime can
 *    call any signature.
 *  - A funcref is a `const lunatic_func*`, NULL for ref.null. An externref is an opaque
 *    `void*`, NULL for ref.null.
 *  - Generated functions keep frame pointers, so the runtime walks the stack by them.
 */
#ifndef LUNATIC_ABI_H
#define LUNATIC_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LUNATIC_ABI_VERSION 6u
#define LUNATIC_WASM_PAGE_SIZE 65536u
#define LUNATIC_MAX_PAGES 65536u        /* 4 GiB: the most a 32-bit memory can hold */
#define LUNATIC_NO_MAXIMUM 0xffffffffu  /* table/memory declared without a maximum */
#define LUNATIC_INLINE_GLOBALS 4u       /* own globals whose cells lie in the instance */

/* Value type codes, used in signature strings and descriptors. */
#define LUNATIC_TYPE_I32 'i'
#define LUNATIC_TYPE_I64 'I'
#define LUNATIC_TYPE_F32 'f'
#define LUNATIC_TYPE_F64 'F'
#define LUNATIC_TYPE_V128 'v'
#define LUNATIC_TYPE_FUNCREF 'r'
#define LUNATIC_TYPE_EXTERNREF 'e'

typedef struct lunatic_instance lunatic_instance;

/* One Wasm value in memory: globals, and the argument/result arrays of array entries. */
typedef union lunatic_value {
  uint32_t i32;
  uint64_t i64;
  float f32;
  double f64;
  uint8_t v128[16];
  void* ref;
} __attribute__((aligned(16))) lunatic_value;

/* What a funcref points to. Imported functions, table slots and ref.func all use these. */
typedef struct lunatic_func {
  const void* code;              /* native entry: R code(lunatic_instance* instance, P...) */
  void (*array_entry)(lunatic_instance*, lunatic_value*); /* NULL if the function never escapes */
  /* Passed as the first argument of code and array_entry. NULL means "the caller's
   * instance": host functions work on whoever calls them, and every process of a module
   * shares one set of func objects, so spawning copies none of them. */
  lunatic_instance* instance;
  uint32_t type_id;              /* canonical signature id, equal ids mean equal signatures */
  uint32_t func_index;           /* index in the defining module, for diagnostics */
} lunatic_func;

/* Linear memory. `base` never moves while any code runs on it in guard-page mode; in
 * bounds-checked mode generated code reloads it after every call and memory.grow. */
typedef struct lunatic_memory {
  uint8_t* base;
  uint64_t size;          /* current size in bytes, a multiple of the page size */
  uint32_t max_pages;     /* declared maximum, or LUNATIC_MAX_PAGES */
  uint32_t mode;          /* a lunatic_memory_mode */
  uint64_t reserved;      /* bytes of address space behind base */
} lunatic_memory;

typedef enum lunatic_memory_mode {
  /* Reserve the whole 8 GiB an i32 address plus a u32 offset can reach; unmapped pages
   * fault, and the fault becomes an out-of-bounds trap. Loads and stores check nothing. */
  LUNATIC_MEMORY_GUARD_PAGES = 0,
  /* Reserve only what is needed; every access compares its end against `size`. */
  LUNATIC_MEMORY_BOUNDS_CHECKED = 1,
} lunatic_memory_mode;

typedef struct lunatic_table {
  void** elements;        /* `size` slots: lunatic_func* for funcref, opaque for externref */
  uint32_t size;
  uint32_t max;           /* declared maximum, or LUNATIC_NO_MAXIMUM */
  uint8_t elem_type;      /* LUNATIC_TYPE_FUNCREF or LUNATIC_TYPE_EXTERNREF */
} lunatic_table;

/* The per-instance context every generated function receives first. Imported entities
 * come first in each index space, as in Wasm. The runtime allocates the arrays. */
struct lunatic_instance {
  lunatic_memory* memory;             /* memory 0, or NULL */
  /* Generated code traps with LUNATIC_TRAP_STACK_EXHAUSTED on entering a function whose
   * frame pointer lies below this address (a frame of LUNATIC_STACK_PROBE_SIZE or more is
   * checked whole before it is allocated: lunatic_stack_probe). Per instance, not per
   * thread, because a process keeps its own stack while it migrates between worker
   * threads. */
  uintptr_t stack_limit;
  /* The reduction budget of the current time slice. Code injected by the reduction
   * counting pass subtracts the cost of what it is about to run and calls lunatic_yield
   * once this drops to zero or below. */
  int64_t reductions_left;
  lunatic_value** globals;            /* a cell per global; imported ones are the exporter's */
  lunatic_table** tables;             /* a table per table index */
  const lunatic_func** funcs;         /* a func object per function index */
  const uint32_t* type_ids;           /* canonical id of each of the module's signatures */
  uint8_t* data_dropped;              /* a flag per data segment, set by data.drop */
  uint8_t* elem_dropped;              /* a flag per element segment, set by elem.drop */
  const struct lunatic_module* module;
  void* host;                         /* owned by the runtime: process, WASI context */
  /* The cells of the module's first LUNATIC_INLINE_GLOBALS own (not imported) globals,
   * in order: `globals` points to them like to any cell, and generated code reaches them
   * at a constant offset from the instance, one access where another cell costs two
   * dependent loads before it. Compilers put the shadow stack pointer first, and every
   * function with a frame in linear memory reads and writes it. */
  lunatic_value inline_globals[LUNATIC_INLINE_GLOBALS];
};

typedef enum lunatic_extern_kind {
  LUNATIC_EXTERN_FUNC = 0,
  LUNATIC_EXTERN_TABLE = 1,
  LUNATIC_EXTERN_MEMORY = 2,
  LUNATIC_EXTERN_GLOBAL = 3,
} lunatic_extern_kind;

/* A host function of the runtime (WASI or lunatic::*), as runtime/host.h defines one for
 * each line of lunatic_functions.def and wasi_functions.def: its code,
 * `R code(lunatic_instance* caller, P...)`, and its signature ("ii:i", as those lists write
 * it). Each is a symbol of its own, LUNATIC_HOST_SYMBOL_PREFIX, the import module without its
 * "lunatic::" ("process", "wasi_snapshot_preview1"), '_', the import name:
 * lunatic_host_process_spawn. A module's object refers to those it imports, so an executable
 * links the host functions its module uses and no others. */
typedef struct lunatic_host_function {
  const void* code;
  const char* signature;
} lunatic_host_function;
#define LUNATIC_HOST_SYMBOL_PREFIX "lunatic_host_"

typedef struct lunatic_import {
  const char* module;
  const char* name;
  uint32_t kind;          /* lunatic_extern_kind */
  uint32_t index;         /* index in that kind's index space */
  /* The host function a function import names, if the runtime has one by that module and
   * name; NULL for anything else, which only an embedding's linker can resolve (embed.h). */
  const lunatic_host_function* host;
} lunatic_import;

typedef struct lunatic_export {
  const char* name;
  uint32_t kind;          /* lunatic_extern_kind */
  uint32_t index;
} lunatic_export;

typedef struct lunatic_function_desc {
  const void* code;       /* NULL for imported functions */
  void (*array_entry)(lunatic_instance*, lunatic_value*); /* NULL if it never escapes */
  uint32_t type_index;    /* into lunatic_module.types */
  const char* name;       /* the Wasm name (name section) or a made-up one, for backtraces */
} lunatic_function_desc;

typedef struct lunatic_table_desc {
  uint8_t elem_type;
  uint32_t min;
  uint32_t max;           /* or LUNATIC_NO_MAXIMUM */
} lunatic_table_desc;

typedef struct lunatic_global_desc {
  uint8_t type;           /* a LUNATIC_TYPE_* code */
  uint8_t is_mutable;
} lunatic_global_desc;

typedef struct lunatic_data_segment {
  const uint8_t* bytes;
  uint32_t length;
} lunatic_data_segment;

typedef struct lunatic_elem_segment {
  uint8_t elem_type;
  uint32_t length;
  const int32_t* func_indices; /* per item: a function index, or -1 for ref.null */
} lunatic_elem_segment;

/* Everything the runtime needs to instantiate a compiled module. The compiler emits one
 * as a constant with external linkage; its symbol name is chosen by the driver. */
/* Where the compiler's optimiser inlined functions into others (compiler/debuginfo/
 * inline_table.h), read from the debug info it keeps of that: frames the native stack no
 * longer has, which trap backtraces name. Each range is one inlined copy's code, as offsets
 * from code_start; a copy inlined into another copy is one level deeper. */
typedef struct lunatic_inlined_range {
  uint32_t begin, end; /* [begin, end) from code_start */
  uint32_t depth;      /* 1 inlined into a function's own code, 2 into such a copy, ... */
  uint32_t name;       /* offset of the function's name in the table's `names` */
  /* Where the copy is called from, in the function it was inlined into: a file (offset in
   * `names`) and line, line 0 where unknown (always without -g). */
  uint32_t call_file, call_line;
} lunatic_inlined_range;

/* With -g, the guest source line of the code from `begin` (from code_start) to the next
 * row's begin: a file (offset in `names`) and a line, 0 where the code has none. */
typedef struct lunatic_code_line {
  uint32_t begin, file, line;
} lunatic_code_line;

/* The table is one block without pointers, so that it needs no relocation: the header,
 * then the ranges, then the line rows, then the NUL-terminated names. It lies in a
 * read-only section of its own, laid out after the other read-only data, so that its size
 * (which -g changes: it then also names the guest's own inlined functions and has lines)
 * moves no data the code refers to. */
typedef struct lunatic_inline_table {
  uint32_t num_ranges;
  uint32_t names_offset; /* from the table's start */
  uint32_t num_lines;    /* 0 without -g */
  uint32_t lines_offset; /* from the table's start */
  /* lunatic_inlined_range ranges[num_ranges], by begin, follow; then
   * lunatic_code_line lines[num_lines], by begin */
} lunatic_inline_table;
#define LUNATIC_INLINE_TABLE_PREFIX "lunatic_inlines_" /* + the module's symbol */
#define LUNATIC_INLINE_TABLE_SECTION "lunatic_inlines"

static inline const lunatic_inlined_range* lunatic_inline_ranges(const lunatic_inline_table* table) {
  return (const lunatic_inlined_range*)(table + 1);
}
static inline const char* lunatic_inline_names(const lunatic_inline_table* table) {
  return (const char*)table + table->names_offset;
}
static inline const lunatic_code_line* lunatic_inline_lines(const lunatic_inline_table* table) {
  return (const lunatic_code_line*)((const char*)table + table->lines_offset);
}

typedef struct lunatic_module {
  uint32_t abi_version;   /* LUNATIC_ABI_VERSION */
  uint32_t memory_mode;   /* the lunatic_memory_mode the code was compiled for */
  const char* name;

  uint32_t num_types;
  const char* const* types; /* signature strings: param codes, ':', result codes ("iI:f") */

  uint32_t num_imports;
  const lunatic_import* imports;
  uint32_t num_exports;
  const lunatic_export* exports;

  uint32_t num_functions, num_imported_functions;
  const lunatic_function_desc* functions;
  uint32_t num_tables, num_imported_tables;
  const lunatic_table_desc* tables;
  uint32_t num_globals, num_imported_globals;
  const lunatic_global_desc* globals;

  uint32_t has_memory, memory_imported;
  uint32_t memory_min_pages, memory_max_pages; /* max is LUNATIC_MAX_PAGES if undeclared */

  uint32_t num_data_segments;
  const lunatic_data_segment* data_segments;
  uint32_t num_elem_segments;
  const lunatic_elem_segment* elem_segments;

  /* Sets the defined globals from their initialisers, then applies the active element
   * segments and the active data segments in order (each as table.init/memory.init followed
   * by a drop) and drops the declarative element segments. Traps through lunatic_trap. The
   * start function is not called here. */
  void (*initialize)(lunatic_instance*);
  int32_t start_function; /* function index, or -1 */

  /* The generated code occupies [code_start, code_end): lets the runtime tell Wasm frames
   * from its own when it walks the stack. */
  const void* code_start;
  const void* code_end;
  /* LUNATIC_INLINE_TABLE_PREFIX + the module's symbol, which the compiler emits after code
   * generation; NULL where it made none (an object of lunaticc -c, say). */
  const lunatic_inline_table* inlines;
} lunatic_module;

/* ---- Traps ------------------------------------------------------------------------ */

typedef enum lunatic_trap_kind {
  LUNATIC_TRAP_UNREACHABLE = 1,
  LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS,   /* "out of bounds memory access" */
  LUNATIC_TRAP_TABLE_OUT_OF_BOUNDS,    /* "out of bounds table access" */
  LUNATIC_TRAP_UNDEFINED_ELEMENT,      /* call_indirect index past the table's end */
  LUNATIC_TRAP_UNINITIALIZED_ELEMENT,  /* call_indirect to a null slot */
  LUNATIC_TRAP_INDIRECT_CALL_TYPE_MISMATCH,
  LUNATIC_TRAP_INTEGER_DIVIDE_BY_ZERO,
  LUNATIC_TRAP_INTEGER_OVERFLOW,
  LUNATIC_TRAP_INVALID_CONVERSION,     /* "invalid conversion to integer" */
  LUNATIC_TRAP_STACK_EXHAUSTED,        /* "call stack exhausted" */
  LUNATIC_TRAP_NULL_REFERENCE,
  LUNATIC_TRAP_HOST,                   /* a host function failed; details are logged */
} lunatic_trap_kind;

/* Unwinds to the innermost runtime entry (instantiate, invoke, process body). Never returns. */
__attribute__((noreturn)) void lunatic_trap(uint32_t kind);

/* The stack check (see stack_limit above) comes in two parts, so that the common case
 * costs one compare and no frame, however large, reaches far below the limit:
 *  - every generated function compares its frame pointer with instance->stack_limit on
 *    entry. Below the frame pointer lie at most a few saved registers and a frame smaller
 *    than LUNATIC_STACK_PROBE_SIZE (allocated, and written to, by the time the compare
 *    runs), and, for a call, at most LUNATIC_STACK_PROBE_SIZE of pushed arguments (LLVM
 *    pushes no more when a probe function is set). So guest code, or the prologue of a
 *    function about to trap, never writes more than LUNATIC_STACK_OVERREACH below the
 *    limit; the runtime keeps that much free below every limit, on top of what host
 *    functions and the trap path need;
 *  - a function whose frame is LUNATIC_STACK_PROBE_SIZE or larger calls
 *    lunatic_stack_probe from its prologue (LLVM's "probe-stack" function attribute),
 *    before it allocates the frame or writes anything to it, with the frame's size in rax.
 *    The probe traps with LUNATIC_TRAP_STACK_EXHAUSTED unless the whole frame lies at or
 *    above lunatic_stack_limit, and otherwise returns with every register but the flags
 *    as it was. It touches no page below the frame.
 * That is x86-64's. LLVM's AArch64 back end calls no probe function, so there a frame of
 * any size is allocated, and its spill slots may be written, before the entry compare
 * runs. lunaticc measures every frame it generated instead (LLVM's .stack_sizes): each
 * executable, and each object of `lunaticc -c`, holds in section
 * LUNATIC_FRAME_SIZES_SECTION one uint64_t, the size in bytes of its largest frame. The
 * runtime keeps twice the largest of them free below every limit (the frame of the
 * function about to trap, and that of its caller, which passed its own check), so a frame
 * may be at most LUNATIC_MAX_UNPROBED_FRAME there (lunaticc refuses a module with a larger
 * one): a process stack keeps most of its 1 MiB for guest code. x86-64's objects hold none. */
#define LUNATIC_STACK_PROBE_SIZE 4096u
#define LUNATIC_STACK_OVERREACH (4u * LUNATIC_STACK_PROBE_SIZE)
void lunatic_stack_probe(void);
#define LUNATIC_FRAME_SIZES_SECTION "lunatic_frame_sizes"
#define LUNATIC_MAX_UNPROBED_FRAME (256u * 1024u)

/* The limit of the stack that guest code on this thread runs on now: the thread's own, or
 * the running process's (the runtime sets it on every switch). Only lunatic_stack_probe
 * reads it: generated code keeps no thread-local's address across a call, during which
 * a process may move to another thread. */
extern __thread uintptr_t lunatic_stack_limit;

/* Called by generated code when reductions_left drops below zero. Refills the budget and,
 * for a process, may run other processes first; does not return if the process was
 * killed or has spent its fuel. It leaves the instance's memories as they were (their
 * base and size), so generated code keeps both in registers across it. */
void lunatic_yield(lunatic_instance*);

/* ---- Helpers generated code calls -------------------------------------------------- *
 * All take the calling instance first and trap on any violation the Wasm spec names. */

uint32_t lunatic_memory_grow(lunatic_instance*, uint32_t delta_pages); /* old pages or -1 */
void lunatic_memory_init(lunatic_instance*, uint32_t segment, uint32_t dst, uint32_t src,
                         uint32_t len);
void lunatic_data_drop(lunatic_instance*, uint32_t segment);

uint32_t lunatic_table_grow(lunatic_instance*, uint32_t table, void* init, uint32_t delta);
void lunatic_table_fill(lunatic_instance*, uint32_t table, uint32_t dst, void* value,
                        uint32_t len);
void lunatic_table_copy(lunatic_instance*, uint32_t dst_table, uint32_t src_table,
                        uint32_t dst, uint32_t src, uint32_t len);
void lunatic_table_init(lunatic_instance*, uint32_t table, uint32_t segment, uint32_t dst,
                        uint32_t src, uint32_t len);
void lunatic_elem_drop(lunatic_instance*, uint32_t segment);

/* ---- The executable's entry ---------------------------------------------------------- *
 * lunaticc, when it builds an executable, emits these symbols next to the module; the
 * runtime's main() instantiates the module with WASI and runs the entry export. */
extern const lunatic_module lunatic_main_module;
/* The export the root process runs: "_start" unless --entry said otherwise; or "" for test
 * mode (runtime/test_mode/), which runs every export whose name starts with
 * LUNATIC_TEST_EXPORT_PREFIX (lunatic-rs's #[lunatic::test] names tests so), each as the
 * root of an environment of its own. lunaticc chooses test mode for a module that exports
 * tests when no --entry is given. */
extern const char lunatic_main_entry[];
#define LUNATIC_TEST_EXPORT_PREFIX "#lunatic_test_"
/* Test mode's runner. Only the object of a module built for test mode refers to it (as
 * lunatic_main_test_runner), and main() calls it through a weak reference: other executables
 * leave test mode out (about 120 KB). */
#define LUNATIC_TEST_RUNNER "lunatic_run_tests"
#define LUNATIC_TEST_RUNNER_REFERENCE "lunatic_main_test_runner"

/* What lunaticc's --env and --dir flags grant the root process (wasi/grants.h):
 * records of three NUL-terminated strings each, one after another, then an empty string:
 *     LUNATIC_GRANT_ENVIRONMENT_VARIABLE, KEY, VALUE
 *     LUNATIC_GRANT_DIRECTORY, HOST (as given to --dir), GUEST (the name the guest sees)
 *     LUNATIC_GRANT_READ_ONLY_DIRECTORY, HOST, GUEST (--dir HOST::GUEST:ro)
 * An executable built without those flags holds just the final "". */
extern const char lunatic_main_wasi_grants[];
#define LUNATIC_GRANT_ENVIRONMENT_VARIABLE "env"
#define LUNATIC_GRANT_DIRECTORY "dir"
#define LUNATIC_GRANT_READ_ONLY_DIRECTORY "dir-ro"

/* Every module an executable holds: the main module first, then each --module (`--module
 * plugin.wasm`) in the order given. Each entry has the SHA-256 of the module's exact Wasm
 * bytes, by which lunatic::process::compile_module finds a module compiled in (a program
 * cannot compile code at run time) and lunatic::distributed names modules across nodes. Each module's
 * code keeps apart from the others': its descriptor is a symbol of its own
 * (LUNATIC_MODULE_SYMBOL_PREFIX and its position in the table, as lunatic_module_1; the main
 * module's is lunatic_main_module), its functions are local to its object and its code lies
 * in a section of its own, so that frames name the right module's functions. lunaticc emits
 * the table for every executable (not for `-c` objects); the runtime refers to it weakly,
 * and an embedder's program without one holds the main module alone, which compile_module
 * never finds. */
typedef struct lunatic_compiled_module {
  const lunatic_module* module;
  uint8_t sha256[32];
} lunatic_compiled_module;
typedef struct lunatic_module_table {
  uint32_t count;
  const lunatic_compiled_module* modules;
} lunatic_module_table;
extern const lunatic_module_table lunatic_main_module_table;
#define LUNATIC_MODULE_SYMBOL_PREFIX "lunatic_module_"

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LUNATIC_ABI_H */
