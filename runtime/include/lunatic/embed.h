/* The runtime's embedding API: instantiate compiled modules, link them by name, call their
 * exports with traps caught. The executable's main() and the spec test drivers use it.
 */
#ifndef LUNATIC_EMBED_H
#define LUNATIC_EMBED_H

#include "lunatic/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lunatic_status {
  LUNATIC_OK = 0,
  LUNATIC_ERROR_LINK = 1,   /* an import is missing or has the wrong type */
  LUNATIC_ERROR_TRAP = 2,   /* guest code trapped; error.trap says which */
  LUNATIC_ERROR_OTHER = 3,  /* anything else: no such export, resources, ... */
  LUNATIC_EXITED = 4,       /* the guest called proc_exit; error.exit_code holds its code */
} lunatic_status;

typedef struct lunatic_error {
  uint32_t trap;          /* a lunatic_trap_kind when status is LUNATIC_ERROR_TRAP */
  int32_t exit_code;      /* when status is LUNATIC_EXITED */
  char message[256];      /* one line, no newline */
} lunatic_error;

/* Human-readable name of a trap, as the spec test suite spells it
 * ("out of bounds memory access", "integer divide by zero", ...). */
const char* lunatic_trap_message(uint32_t kind);

/* A namespace of importable entities: instances registered under a module name, plus host
 * definitions. Instantiation resolves every import against it by (module, name). */
typedef struct lunatic_linker lunatic_linker;

lunatic_linker* lunatic_linker_new(void);
void lunatic_linker_free(lunatic_linker*); /* also frees the instances it owns */

/* Makes every export of `instance` importable under `module_name`. */
void lunatic_linker_register(lunatic_linker*, const char* module_name, lunatic_instance*);

/* Host definitions. `signature` is a signature string ("ii:i"). The function is called as
 * code(instance, params...) where instance is the importing instance. */
void lunatic_linker_define_func(lunatic_linker*, const char* module, const char* name,
                                const char* signature, const void* code,
                                void (*array_entry)(lunatic_instance*, lunatic_value*));
void lunatic_linker_define_global(lunatic_linker*, const char* module, const char* name,
                                  uint8_t type, int is_mutable, lunatic_value value);
void lunatic_linker_define_table(lunatic_linker*, const char* module, const char* name,
                                 uint8_t elem_type, uint32_t min, uint32_t max);
void lunatic_linker_define_memory(lunatic_linker*, const char* module, const char* name,
                                  uint32_t min_pages, uint32_t max_pages, uint32_t mode);

/* Resolves imports, allocates memory, tables and globals, runs `initialize` and then the
 * start function. The linker owns the instance. On LUNATIC_ERROR_TRAP the instance is
 * still returned (its partial effects on shared tables and memories stay, as the spec says). */
lunatic_status lunatic_instantiate(lunatic_linker*, const lunatic_module*,
                                   lunatic_instance** out, lunatic_error* error);

/* Calls an exported function. `values` holds the parameters on entry and the results on
 * return; it must have room for max(params, results) values. Traps are caught. */
lunatic_status lunatic_invoke(lunatic_instance*, const char* export_name,
                              lunatic_value* values, lunatic_error* error);

/* Reads an exported global. */
lunatic_status lunatic_get_global(lunatic_instance*, const char* export_name,
                                  lunatic_value* value, lunatic_error* error);

/* The signature string of an exported function, or NULL. */
const char* lunatic_export_signature(lunatic_instance*, const char* export_name);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LUNATIC_EMBED_H */
