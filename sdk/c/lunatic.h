/* lunatic.h: the Lunatic host functions for C and C++ guest programs.
 *
 * Build guests with   clang-19 --target=wasm32-wasi --sysroot=/usr
 * The header has two layers:
 *   - lunatic_raw_<module>_<function>: every host function of the ABI, declared with the Wasm
 *     import module and name it has upstream (Lunatic 0.13). docs/abi.md describes them;
 *     runtime/include/lunatic/lunatic_functions.def lists their Wasm signatures.
 *   - lunatic_<...>: small typed wrappers for the common cases (spawning, messages, links,
 *     registry, timers, configurations, errors). Each is documented in one line.
 * Only functions a program actually calls become imports of its module.
 *
 * A process entry point is an exported function of one i32 parameter, defined with
 * LUNATIC_ENTRY(name) { ... } (the parameter is called `arg`) and spawned by name:
 *
 *     LUNATIC_ENTRY(worker) { ... uses arg ... }
 *     lunatic_process_id pid;
 *     if (LUNATIC_SPAWN(worker, 42, &pid)) ...
 */
#ifndef LUNATIC_SDK_LUNATIC_H
#define LUNATIC_SDK_LUNATIC_H

#if !defined(__wasm32__)
#error "lunatic.h is for wasm32 guests: compile with --target=wasm32-wasi"
#endif

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types and constants -------------------------------------------------------------- */

typedef uint64_t lunatic_process_id; /* global: any process may name any process */
typedef uint64_t lunatic_error_id;   /* an error value in this process's table */
typedef uint64_t lunatic_timer_id;
typedef int64_t lunatic_config_id;   /* LUNATIC_CONFIG_INHERIT: the caller's configuration */
typedef int64_t lunatic_module_id;   /* LUNATIC_MODULE_SELF: the caller's module */
typedef int64_t lunatic_tag;         /* message / link tag; 0 means no tag */

#define LUNATIC_CONFIG_INHERIT ((lunatic_config_id)-1)
#define LUNATIC_MODULE_SELF ((lunatic_module_id)-1)
#define LUNATIC_NO_TAG ((lunatic_tag)0)
#define LUNATIC_WAIT_FOREVER UINT64_MAX /* timeout meaning "no timeout" */
#define LUNATIC_TIMEOUT 9027u           /* result of calls that timed out */

/* Results of lunatic_raw_message_receive and lunatic_receive. */
typedef enum lunatic_receive_status {
  LUNATIC_RECEIVE_DATA = 0,         /* a data message */
  LUNATIC_RECEIVE_LINK_DIED = 1,    /* a linked process failed (after die_when_link_dies(false)) */
  LUNATIC_RECEIVE_PROCESS_DIED = 2, /* a monitored process ended */
  LUNATIC_RECEIVE_TIMEOUT = 9027,   /* nothing arrived in time */
} lunatic_receive_status;

/* Spawn parameter record type bytes (the Wasm binary value type encoding). */
#define LUNATIC_PARAM_I32 0x7F
#define LUNATIC_PARAM_I64 0x7E
#define LUNATIC_PARAM_V128 0x7B
#define LUNATIC_PARAM_SIZE 17 /* one type byte, then the value as 16 little-endian bytes */

#define LUNATIC_IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

/* Defines the process entry point `name(int32_t arg)` and exports it under its own name. */
#define LUNATIC_ENTRY(name)                                                                  \
  __attribute__((export_name(#name))) void name(int32_t arg __attribute__((unused)))

/* ---- Raw imports: lunatic::process ----------------------------------------------------- */

LUNATIC_IMPORT("lunatic::process", "compile_module")
int32_t lunatic_raw_process_compile_module(const void* data, size_t data_len, uint64_t* id);
LUNATIC_IMPORT("lunatic::process", "drop_module")
void lunatic_raw_process_drop_module(uint64_t module_id);
LUNATIC_IMPORT("lunatic::process", "create_config")
int64_t lunatic_raw_process_create_config(void);
LUNATIC_IMPORT("lunatic::process", "drop_config")
void lunatic_raw_process_drop_config(uint64_t config_id);
LUNATIC_IMPORT("lunatic::process", "config_set_max_memory")
void lunatic_raw_process_config_set_max_memory(uint64_t config_id, uint64_t max_memory);
LUNATIC_IMPORT("lunatic::process", "config_get_max_memory")
uint64_t lunatic_raw_process_config_get_max_memory(uint64_t config_id);
LUNATIC_IMPORT("lunatic::process", "config_set_max_fuel")
void lunatic_raw_process_config_set_max_fuel(uint64_t config_id, uint64_t max_fuel);
LUNATIC_IMPORT("lunatic::process", "config_get_max_fuel")
uint64_t lunatic_raw_process_config_get_max_fuel(uint64_t config_id);
LUNATIC_IMPORT("lunatic::process", "config_can_compile_modules")
uint32_t lunatic_raw_process_config_can_compile_modules(uint64_t config_id);
LUNATIC_IMPORT("lunatic::process", "config_set_can_compile_modules")
void lunatic_raw_process_config_set_can_compile_modules(uint64_t config_id, uint32_t can);
LUNATIC_IMPORT("lunatic::process", "config_can_create_configs")
uint32_t lunatic_raw_process_config_can_create_configs(uint64_t config_id);
LUNATIC_IMPORT("lunatic::process", "config_set_can_create_configs")
void lunatic_raw_process_config_set_can_create_configs(uint64_t config_id, uint32_t can);
LUNATIC_IMPORT("lunatic::process", "config_can_spawn_processes")
uint32_t lunatic_raw_process_config_can_spawn_processes(uint64_t config_id);
LUNATIC_IMPORT("lunatic::process", "config_set_can_spawn_processes")
void lunatic_raw_process_config_set_can_spawn_processes(uint64_t config_id, uint32_t can);
LUNATIC_IMPORT("lunatic::process", "spawn")
uint32_t lunatic_raw_process_spawn(int64_t link_tag, int64_t config_id, int64_t module_id,
                                   const char* function, size_t function_len,
                                   const void* params, size_t params_len, uint64_t* id);
LUNATIC_IMPORT("lunatic::process", "get_or_spawn")
uint32_t lunatic_raw_process_get_or_spawn(const char* name, size_t name_len, int64_t link_tag,
                                          int64_t config_id, int64_t module_id,
                                          const char* function, size_t function_len,
                                          const void* params, size_t params_len,
                                          uint64_t* node_id, uint64_t* id);
LUNATIC_IMPORT("lunatic::process", "sleep_ms")
void lunatic_raw_process_sleep_ms(uint64_t millis);
LUNATIC_IMPORT("lunatic::process", "die_when_link_dies")
void lunatic_raw_process_die_when_link_dies(uint32_t die);
LUNATIC_IMPORT("lunatic::process", "process_id")
uint64_t lunatic_raw_process_process_id(void);
LUNATIC_IMPORT("lunatic::process", "environment_id")
uint64_t lunatic_raw_process_environment_id(void);
LUNATIC_IMPORT("lunatic::process", "link")
void lunatic_raw_process_link(int64_t tag, uint64_t process_id);
LUNATIC_IMPORT("lunatic::process", "unlink")
void lunatic_raw_process_unlink(uint64_t process_id);
LUNATIC_IMPORT("lunatic::process", "monitor")
void lunatic_raw_process_monitor(uint64_t process_id);
LUNATIC_IMPORT("lunatic::process", "stop_monitoring")
void lunatic_raw_process_stop_monitoring(uint64_t process_id);
LUNATIC_IMPORT("lunatic::process", "kill")
void lunatic_raw_process_kill(uint64_t process_id);
LUNATIC_IMPORT("lunatic::process", "exists")
int32_t lunatic_raw_process_exists(uint64_t process_id);

/* ---- Raw imports: lunatic::message ----------------------------------------------------- */

LUNATIC_IMPORT("lunatic::message", "create_data")
void lunatic_raw_message_create_data(int64_t tag, uint64_t capacity);
LUNATIC_IMPORT("lunatic::message", "write_data")
size_t lunatic_raw_message_write_data(const void* data, size_t data_len);
LUNATIC_IMPORT("lunatic::message", "read_data")
size_t lunatic_raw_message_read_data(void* data, size_t data_len);
LUNATIC_IMPORT("lunatic::message", "seek_data")
void lunatic_raw_message_seek_data(uint64_t position);
LUNATIC_IMPORT("lunatic::message", "get_tag")
int64_t lunatic_raw_message_get_tag(void);
LUNATIC_IMPORT("lunatic::message", "get_process_id")
uint64_t lunatic_raw_message_get_process_id(void);
LUNATIC_IMPORT("lunatic::message", "data_size")
uint64_t lunatic_raw_message_data_size(void);
LUNATIC_IMPORT("lunatic::message", "push_module")
uint64_t lunatic_raw_message_push_module(uint64_t module_id);
LUNATIC_IMPORT("lunatic::message", "take_module")
uint64_t lunatic_raw_message_take_module(uint64_t index);
LUNATIC_IMPORT("lunatic::message", "push_tcp_stream")
uint64_t lunatic_raw_message_push_tcp_stream(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::message", "take_tcp_stream")
uint64_t lunatic_raw_message_take_tcp_stream(uint64_t index);
LUNATIC_IMPORT("lunatic::message", "push_tls_stream")
uint64_t lunatic_raw_message_push_tls_stream(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::message", "take_tls_stream")
uint64_t lunatic_raw_message_take_tls_stream(uint64_t index);
LUNATIC_IMPORT("lunatic::message", "push_udp_socket")
uint64_t lunatic_raw_message_push_udp_socket(uint64_t socket_id);
LUNATIC_IMPORT("lunatic::message", "take_udp_socket")
uint64_t lunatic_raw_message_take_udp_socket(uint64_t index);
LUNATIC_IMPORT("lunatic::message", "send")
uint32_t lunatic_raw_message_send(uint64_t process_id);
LUNATIC_IMPORT("lunatic::message", "send_receive_skip_search")
uint32_t lunatic_raw_message_send_receive_skip_search(uint64_t process_id, int64_t wait_on_tag,
                                                      uint64_t timeout_ms);
LUNATIC_IMPORT("lunatic::message", "receive")
uint32_t lunatic_raw_message_receive(const int64_t* tags, size_t tag_count, uint64_t timeout_ms);

/* ---- Raw imports: lunatic::timer, lunatic::registry, lunatic::version, lunatic::error --- */

LUNATIC_IMPORT("lunatic::timer", "send_after")
uint64_t lunatic_raw_timer_send_after(uint64_t process_id, uint64_t delay_ms);
LUNATIC_IMPORT("lunatic::timer", "cancel_timer")
uint32_t lunatic_raw_timer_cancel_timer(uint64_t timer_id);

LUNATIC_IMPORT("lunatic::registry", "put")
void lunatic_raw_registry_put(const char* name, size_t name_len, uint64_t node_id,
                              uint64_t process_id);
LUNATIC_IMPORT("lunatic::registry", "get")
uint32_t lunatic_raw_registry_get(const char* name, size_t name_len, uint64_t* node_id,
                                  uint64_t* process_id);
LUNATIC_IMPORT("lunatic::registry", "get_or_put_later")
uint32_t lunatic_raw_registry_get_or_put_later(const char* name, size_t name_len,
                                               uint64_t* node_id, uint64_t* process_id);
LUNATIC_IMPORT("lunatic::registry", "remove")
void lunatic_raw_registry_remove(const char* name, size_t name_len);

LUNATIC_IMPORT("lunatic::version", "major")
uint32_t lunatic_raw_version_major(void);
LUNATIC_IMPORT("lunatic::version", "minor")
uint32_t lunatic_raw_version_minor(void);
LUNATIC_IMPORT("lunatic::version", "patch")
uint32_t lunatic_raw_version_patch(void);

LUNATIC_IMPORT("lunatic::error", "string_size")
uint32_t lunatic_raw_error_string_size(uint64_t error_id);
LUNATIC_IMPORT("lunatic::error", "to_string")
void lunatic_raw_error_to_string(uint64_t error_id, char* buffer);
LUNATIC_IMPORT("lunatic::error", "drop")
void lunatic_raw_error_drop(uint64_t error_id);

/* ---- Raw imports: lunatic::wasi -------------------------------------------------------- */

LUNATIC_IMPORT("lunatic::wasi", "config_add_environment_variable")
void lunatic_raw_wasi_config_add_environment_variable(uint64_t config_id, const char* key,
                                                      size_t key_len, const char* value,
                                                      size_t value_len);
LUNATIC_IMPORT("lunatic::wasi", "config_add_command_line_argument")
void lunatic_raw_wasi_config_add_command_line_argument(uint64_t config_id, const char* argument,
                                                       size_t argument_len);
LUNATIC_IMPORT("lunatic::wasi", "config_preopen_dir")
void lunatic_raw_wasi_config_preopen_dir(uint64_t config_id, const char* dir, size_t dir_len);

/* ---- Raw imports: lunatic::networking -------------------------------------------------
 * A socket address is (addr_type 4 or 6, addr: 4 or 16 bytes, port, flow_info, scope_id).
 * `opaque` receives the byte count on success, the error id on failure. */

typedef struct lunatic_ciovec {
  const void* buf;
  size_t len;
} lunatic_ciovec; /* (u32 pointer, u32 length), as the vectored calls read them */

LUNATIC_IMPORT("lunatic::networking", "resolve")
uint32_t lunatic_raw_networking_resolve(const char* name, size_t name_len, uint64_t timeout_ms,
                                        uint64_t* id);
LUNATIC_IMPORT("lunatic::networking", "drop_dns_iterator")
void lunatic_raw_networking_drop_dns_iterator(uint64_t dns_iter_id);
LUNATIC_IMPORT("lunatic::networking", "resolve_next")
uint32_t lunatic_raw_networking_resolve_next(uint64_t dns_iter_id, uint32_t* addr_type,
                                             uint8_t* addr, uint16_t* port,
                                             uint32_t* flow_info, uint32_t* scope_id);
LUNATIC_IMPORT("lunatic::networking", "tcp_bind")
uint32_t lunatic_raw_networking_tcp_bind(uint32_t addr_type, const uint8_t* addr, uint32_t port,
                                         uint32_t flow_info, uint32_t scope_id, uint64_t* id);
LUNATIC_IMPORT("lunatic::networking", "drop_tcp_listener")
void lunatic_raw_networking_drop_tcp_listener(uint64_t listener_id);
LUNATIC_IMPORT("lunatic::networking", "tcp_local_addr")
uint32_t lunatic_raw_networking_tcp_local_addr(uint64_t listener_id, uint64_t* dns_iter_id);
LUNATIC_IMPORT("lunatic::networking", "tcp_accept")
uint32_t lunatic_raw_networking_tcp_accept(uint64_t listener_id, uint64_t* id,
                                           uint64_t* peer_dns_iter_id);
LUNATIC_IMPORT("lunatic::networking", "tcp_connect")
uint32_t lunatic_raw_networking_tcp_connect(uint32_t addr_type, const uint8_t* addr,
                                            uint32_t port, uint32_t flow_info, uint32_t scope_id,
                                            uint64_t timeout_ms, uint64_t* id);
LUNATIC_IMPORT("lunatic::networking", "tcp_peer_addr")
uint32_t lunatic_raw_networking_tcp_peer_addr(uint64_t stream_id, uint64_t* dns_iter_id);
LUNATIC_IMPORT("lunatic::networking", "drop_tcp_stream")
void lunatic_raw_networking_drop_tcp_stream(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::networking", "clone_tcp_stream")
uint64_t lunatic_raw_networking_clone_tcp_stream(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::networking", "tcp_write_vectored")
uint32_t lunatic_raw_networking_tcp_write_vectored(uint64_t stream_id,
                                                   const lunatic_ciovec* ciovecs,
                                                   size_t ciovec_count, uint64_t* opaque);
LUNATIC_IMPORT("lunatic::networking", "tcp_peek")
uint32_t lunatic_raw_networking_tcp_peek(uint64_t stream_id, void* buf, size_t len,
                                         uint64_t* opaque);
LUNATIC_IMPORT("lunatic::networking", "tcp_read")
uint32_t lunatic_raw_networking_tcp_read(uint64_t stream_id, void* buf, size_t len,
                                         uint64_t* opaque);
LUNATIC_IMPORT("lunatic::networking", "set_read_timeout")
void lunatic_raw_networking_set_read_timeout(uint64_t stream_id, uint64_t timeout_ms);
LUNATIC_IMPORT("lunatic::networking", "set_write_timeout")
void lunatic_raw_networking_set_write_timeout(uint64_t stream_id, uint64_t timeout_ms);
LUNATIC_IMPORT("lunatic::networking", "set_peek_timeout")
void lunatic_raw_networking_set_peek_timeout(uint64_t stream_id, uint64_t timeout_ms);
LUNATIC_IMPORT("lunatic::networking", "get_read_timeout")
uint64_t lunatic_raw_networking_get_read_timeout(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::networking", "get_write_timeout")
uint64_t lunatic_raw_networking_get_write_timeout(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::networking", "get_peek_timeout")
uint64_t lunatic_raw_networking_get_peek_timeout(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::networking", "tcp_flush")
uint32_t lunatic_raw_networking_tcp_flush(uint64_t stream_id, uint64_t* error_id);

LUNATIC_IMPORT("lunatic::networking", "tls_bind")
uint32_t lunatic_raw_networking_tls_bind(uint32_t addr_type, const uint8_t* addr, uint32_t port,
                                         uint32_t flow_info, uint32_t scope_id, uint64_t* id,
                                         const void* cert_pem, size_t cert_pem_len,
                                         const void* key_pem, size_t key_pem_len);
LUNATIC_IMPORT("lunatic::networking", "drop_tls_listener")
void lunatic_raw_networking_drop_tls_listener(uint64_t listener_id);
LUNATIC_IMPORT("lunatic::networking", "tls_local_addr")
uint32_t lunatic_raw_networking_tls_local_addr(uint64_t listener_id, uint64_t* dns_iter_id);
LUNATIC_IMPORT("lunatic::networking", "tls_accept")
uint32_t lunatic_raw_networking_tls_accept(uint64_t listener_id, uint64_t* id,
                                           uint64_t* peer_dns_iter_id);
LUNATIC_IMPORT("lunatic::networking", "tls_connect")
uint32_t lunatic_raw_networking_tls_connect(const char* host, size_t host_len, uint32_t port,
                                            uint64_t timeout_ms, uint64_t* id,
                                            const lunatic_ciovec* ca_pems, size_t ca_count);
LUNATIC_IMPORT("lunatic::networking", "drop_tls_stream")
void lunatic_raw_networking_drop_tls_stream(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::networking", "clone_tls_stream")
uint64_t lunatic_raw_networking_clone_tls_stream(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::networking", "tls_write_vectored")
uint32_t lunatic_raw_networking_tls_write_vectored(uint64_t stream_id,
                                                   const lunatic_ciovec* ciovecs,
                                                   size_t ciovec_count, uint64_t* opaque);
LUNATIC_IMPORT("lunatic::networking", "tls_read")
uint32_t lunatic_raw_networking_tls_read(uint64_t stream_id, void* buf, size_t len,
                                         uint64_t* opaque);
LUNATIC_IMPORT("lunatic::networking", "set_tls_read_timeout")
void lunatic_raw_networking_set_tls_read_timeout(uint64_t stream_id, uint64_t timeout_ms);
LUNATIC_IMPORT("lunatic::networking", "set_tls_write_timeout")
void lunatic_raw_networking_set_tls_write_timeout(uint64_t stream_id, uint64_t timeout_ms);
LUNATIC_IMPORT("lunatic::networking", "get_tls_read_timeout")
uint64_t lunatic_raw_networking_get_tls_read_timeout(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::networking", "get_tls_write_timeout")
uint64_t lunatic_raw_networking_get_tls_write_timeout(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::networking", "tls_flush")
uint32_t lunatic_raw_networking_tls_flush(uint64_t stream_id, uint64_t* error_id);

LUNATIC_IMPORT("lunatic::networking", "udp_bind")
uint32_t lunatic_raw_networking_udp_bind(uint32_t addr_type, const uint8_t* addr, uint32_t port,
                                         uint32_t flow_info, uint32_t scope_id, uint64_t* id);
LUNATIC_IMPORT("lunatic::networking", "udp_local_addr")
uint32_t lunatic_raw_networking_udp_local_addr(uint64_t socket_id, uint64_t* dns_iter_id);
LUNATIC_IMPORT("lunatic::networking", "udp_peer_addr")
uint32_t lunatic_raw_networking_udp_peer_addr(uint64_t socket_id, uint64_t* dns_iter_id);
LUNATIC_IMPORT("lunatic::networking", "drop_udp_socket")
void lunatic_raw_networking_drop_udp_socket(uint64_t socket_id);
LUNATIC_IMPORT("lunatic::networking", "udp_receive")
uint32_t lunatic_raw_networking_udp_receive(uint64_t socket_id, void* buf, size_t len,
                                            uint64_t* opaque);
LUNATIC_IMPORT("lunatic::networking", "udp_receive_from")
uint32_t lunatic_raw_networking_udp_receive_from(uint64_t socket_id, void* buf, size_t len,
                                                 uint64_t* opaque, uint64_t* sender_dns_iter_id);
LUNATIC_IMPORT("lunatic::networking", "udp_connect")
uint32_t lunatic_raw_networking_udp_connect(uint64_t socket_id, uint32_t addr_type,
                                            const uint8_t* addr, uint32_t port,
                                            uint32_t flow_info, uint32_t scope_id,
                                            uint64_t timeout_ms, uint64_t* error_id);
LUNATIC_IMPORT("lunatic::networking", "clone_udp_socket")
uint64_t lunatic_raw_networking_clone_udp_socket(uint64_t socket_id);
LUNATIC_IMPORT("lunatic::networking", "set_udp_socket_broadcast")
void lunatic_raw_networking_set_udp_socket_broadcast(uint64_t socket_id, uint32_t broadcast);
LUNATIC_IMPORT("lunatic::networking", "get_udp_socket_broadcast")
int32_t lunatic_raw_networking_get_udp_socket_broadcast(uint64_t socket_id);
LUNATIC_IMPORT("lunatic::networking", "set_udp_socket_ttl")
void lunatic_raw_networking_set_udp_socket_ttl(uint64_t socket_id, uint32_t ttl);
LUNATIC_IMPORT("lunatic::networking", "get_udp_socket_ttl")
uint32_t lunatic_raw_networking_get_udp_socket_ttl(uint64_t socket_id);
LUNATIC_IMPORT("lunatic::networking", "udp_send_to")
uint32_t lunatic_raw_networking_udp_send_to(uint64_t socket_id, const void* buf, size_t len,
                                            uint32_t addr_type, const uint8_t* addr,
                                            uint32_t port, uint32_t flow_info, uint32_t scope_id,
                                            uint64_t* opaque);
LUNATIC_IMPORT("lunatic::networking", "udp_send")
uint32_t lunatic_raw_networking_udp_send(uint64_t socket_id, const void* buf, size_t len,
                                         uint64_t* opaque);

/* ---- Wrappers: processes --------------------------------------------------------------- */

/* Writes the 17-byte spawn parameter record of one i32 to `record`. */
static inline void lunatic_param_i32(uint8_t record[LUNATIC_PARAM_SIZE], int32_t value) {
  uint32_t bits = (uint32_t)value;
  memset(record, 0, LUNATIC_PARAM_SIZE);
  record[0] = LUNATIC_PARAM_I32;
  for (int i = 0; i < 4; ++i) record[1 + i] = (uint8_t)(bits >> (8 * i));
}

/* Spawns export `entry`(arg) of this module with `config`, linked under `link_tag` unless 0;
 * true and the process id in *out, or false and an error id in *out. */
static inline bool lunatic_spawn_config(lunatic_config_id config, lunatic_tag link_tag,
                                        const char* entry, int32_t arg, uint64_t* out) {
  uint8_t params[LUNATIC_PARAM_SIZE];
  lunatic_param_i32(params, arg);
  return lunatic_raw_process_spawn(link_tag, config, LUNATIC_MODULE_SELF, entry, strlen(entry),
                                   params, sizeof params, out) == 0;
}

/* Spawns export `entry`(arg) with the caller's configuration; see lunatic_spawn_config. */
static inline bool lunatic_spawn(const char* entry, int32_t arg, uint64_t* out) {
  return lunatic_spawn_config(LUNATIC_CONFIG_INHERIT, LUNATIC_NO_TAG, entry, arg, out);
}

/* Spawns export `entry`(arg) linked to the caller; its failure comes back with `tag` (not 0). */
static inline bool lunatic_spawn_link(const char* entry, int32_t arg, lunatic_tag tag,
                                      uint64_t* out) {
  return lunatic_spawn_config(LUNATIC_CONFIG_INHERIT, tag, entry, arg, out);
}

/* LUNATIC_SPAWN(worker, 42, &pid): lunatic_spawn of an entry named by identifier. */
#define LUNATIC_SPAWN(entry, arg, out) lunatic_spawn(#entry, (arg), (out))
/* LUNATIC_SPAWN_LINK(worker, 42, tag, &pid): lunatic_spawn_link of an entry by identifier. */
#define LUNATIC_SPAWN_LINK(entry, arg, tag, out) lunatic_spawn_link(#entry, (arg), (tag), (out))

/* The calling process's id. */
static inline lunatic_process_id lunatic_self(void) { return lunatic_raw_process_process_id(); }

/* Links the caller and `pid` both ways, both sides carrying `tag`. */
static inline void lunatic_link(lunatic_process_id pid, lunatic_tag tag) {
  lunatic_raw_process_link(tag, pid);
}

/* Removes the link between the caller and `pid`. */
static inline void lunatic_unlink(lunatic_process_id pid) { lunatic_raw_process_unlink(pid); }

/* Asks for a LUNATIC_RECEIVE_PROCESS_DIED message when `pid` ends. */
static inline void lunatic_monitor(lunatic_process_id pid) { lunatic_raw_process_monitor(pid); }

/* Cancels lunatic_monitor(pid). */
static inline void lunatic_stop_monitoring(lunatic_process_id pid) {
  lunatic_raw_process_stop_monitoring(pid);
}

/* Makes `pid` fail; an unknown id is ignored. */
static inline void lunatic_kill(lunatic_process_id pid) { lunatic_raw_process_kill(pid); }

/* Whether `pid` is running. */
static inline bool lunatic_exists(lunatic_process_id pid) {
  return lunatic_raw_process_exists(pid) != 0;
}

/* Suspends the calling process for `ms` milliseconds. */
static inline void lunatic_sleep_ms(uint64_t ms) { lunatic_raw_process_sleep_ms(ms); }

/* true (the default): fail when a linked process fails; false: get a LINK_DIED message. */
static inline void lunatic_die_when_link_dies(bool die) {
  lunatic_raw_process_die_when_link_dies(die ? 1u : 0u);
}

/* ---- Wrappers: messages ---------------------------------------------------------------- */

/* What lunatic_receive found besides its status; any pointer to it may be NULL. */
typedef struct lunatic_message_info {
  lunatic_tag tag;            /* the message's tag (a LINK_DIED message: its link tag) */
  uint64_t size;              /* the data message's full size in bytes */
  size_t copied;              /* bytes copied to the buffer; read the rest with lunatic_read */
  lunatic_process_id process; /* PROCESS_DIED: the process that ended */
} lunatic_message_info;

/* Builds a message of `len` bytes of `data` with `tag` in the caller's message slot. */
static inline void lunatic_message_create(lunatic_tag tag, const void* data, size_t len) {
  lunatic_raw_message_create_data(tag, len);
  if (len) lunatic_raw_message_write_data(data, len);
}

/* Sends `len` bytes of `data` tagged `tag` to `pid`; delivery is not confirmed. */
static inline void lunatic_send(lunatic_process_id pid, lunatic_tag tag, const void* data,
                                size_t len) {
  lunatic_message_create(tag, data, len);
  lunatic_raw_message_send(pid);
}

/* Copies up to `cap` more bytes of the received message to `buf`; returns the count. */
static inline size_t lunatic_read(void* buf, size_t cap) {
  return cap ? lunatic_raw_message_read_data(buf, cap) : 0;
}

/* Fills *info for the message now in the slot (status from receive), copying data to buf. */
static inline void lunatic_message_info_fill(lunatic_receive_status status, void* buf, size_t cap,
                                             lunatic_message_info* info) {
  size_t copied = 0;
  if (status == LUNATIC_RECEIVE_DATA) copied = lunatic_read(buf, cap);
  if (!info) return;
  info->tag = lunatic_raw_message_get_tag();
  info->size = status == LUNATIC_RECEIVE_DATA ? lunatic_raw_message_data_size() : 0;
  info->copied = copied;
  info->process = status == LUNATIC_RECEIVE_PROCESS_DIED ? lunatic_raw_message_get_process_id() : 0;
}

/* Waits up to `timeout_ms` (LUNATIC_WAIT_FOREVER) for a message with one of `tags` (any if
 * count is 0) and copies up to `cap` bytes of its data to `buf`. */
static inline lunatic_receive_status lunatic_receive(const lunatic_tag* tags, size_t tag_count,
                                                     uint64_t timeout_ms, void* buf, size_t cap,
                                                     lunatic_message_info* info) {
  lunatic_receive_status status =
      (lunatic_receive_status)lunatic_raw_message_receive(tags, tag_count, timeout_ms);
  if (status != LUNATIC_RECEIVE_TIMEOUT) lunatic_message_info_fill(status, buf, cap, info);
  return status;
}

/* Sends a request tagged `tag` (non-zero, not a link tag) and waits up to `timeout_ms` for a
 * reply with the same tag arriving after it; returns DATA or TIMEOUT. */
static inline lunatic_receive_status lunatic_request(lunatic_process_id pid, lunatic_tag tag,
                                                     const void* data, size_t len,
                                                     uint64_t timeout_ms, void* buf, size_t cap,
                                                     lunatic_message_info* info) {
  lunatic_message_create(tag, data, len);
  if (lunatic_raw_message_send_receive_skip_search(pid, tag, timeout_ms) == LUNATIC_TIMEOUT)
    return LUNATIC_RECEIVE_TIMEOUT;
  /* The call does not report the reply's kind: with `tag` used by no link it is data. */
  lunatic_message_info_fill(LUNATIC_RECEIVE_DATA, buf, cap, info);
  return LUNATIC_RECEIVE_DATA;
}

/* ---- Wrappers: timers ------------------------------------------------------------------ */

/* Sends `len` bytes of `data` tagged `tag` to `pid` after `delay_ms`; returns the timer. */
static inline lunatic_timer_id lunatic_send_after(lunatic_process_id pid, lunatic_tag tag,
                                                  const void* data, size_t len,
                                                  uint64_t delay_ms) {
  lunatic_message_create(tag, data, len);
  return lunatic_raw_timer_send_after(pid, delay_ms);
}

/* Cancels a timer; true if it had not fired yet. */
static inline bool lunatic_cancel_timer(lunatic_timer_id timer) {
  return lunatic_raw_timer_cancel_timer(timer) != 0;
}

/* ---- Wrappers: registry ---------------------------------------------------------------- */

/* Registers `pid` (on this node) under the NUL-terminated `name`, replacing any entry. */
static inline void lunatic_registry_put(const char* name, lunatic_process_id pid) {
  lunatic_raw_registry_put(name, strlen(name), 0, pid);
}

/* Looks `name` up; true and the process id in *pid (and its node in *node if not NULL). */
static inline bool lunatic_registry_get(const char* name, lunatic_process_id* pid,
                                        uint64_t* node) {
  uint64_t node_id = 0;
  bool found = lunatic_raw_registry_get(name, strlen(name), &node_id, pid) == 0;
  if (found && node) *node = node_id;
  return found;
}

/* Removes the entry `name`, if any. */
static inline void lunatic_registry_remove(const char* name) {
  lunatic_raw_registry_remove(name, strlen(name));
}

/* ---- Wrappers: configurations ---------------------------------------------------------- */

/* A new configuration, or -1 if the caller may not create one. It starts with the caller's
 * limits and permissions, and no arguments, environment variables or directories. */
static inline lunatic_config_id lunatic_config_create(void) {
  return lunatic_raw_process_create_config();
}

/* Frees a configuration; processes spawned from it keep their settings. */
static inline void lunatic_config_drop(lunatic_config_id config) {
  lunatic_raw_process_drop_config((uint64_t)config);
}

/* Limits the memory of processes spawned from `config` to `bytes`. */
static inline void lunatic_config_set_max_memory(lunatic_config_id config, uint64_t bytes) {
  lunatic_raw_process_config_set_max_memory((uint64_t)config, bytes);
}

/* Limits their compute to `units` of about 100,000 instructions; 0 removes the limit. */
static inline void lunatic_config_set_max_fuel(lunatic_config_id config, uint64_t units) {
  lunatic_raw_process_config_set_max_fuel((uint64_t)config, units);
}

/* Allows or denies spawning processes to processes spawned from `config`. */
static inline void lunatic_config_set_can_spawn_processes(lunatic_config_id config, bool can) {
  lunatic_raw_process_config_set_can_spawn_processes((uint64_t)config, can ? 1u : 0u);
}

/* Allows or denies compiling modules to processes spawned from `config`. */
static inline void lunatic_config_set_can_compile_modules(lunatic_config_id config, bool can) {
  lunatic_raw_process_config_set_can_compile_modules((uint64_t)config, can ? 1u : 0u);
}

/* Allows or denies creating configurations to processes spawned from `config`. */
static inline void lunatic_config_set_can_create_configs(lunatic_config_id config, bool can) {
  lunatic_raw_process_config_set_can_create_configs((uint64_t)config, can ? 1u : 0u);
}

/* Sets the environment variable `key`=`value` for processes spawned from `config`; the key
 * must not be empty or hold '='. */
static inline void lunatic_config_add_env(lunatic_config_id config, const char* key,
                                          const char* value) {
  lunatic_raw_wasi_config_add_environment_variable((uint64_t)config, key, strlen(key), value,
                                                   strlen(value));
}

/* Appends a command-line argument for processes spawned from `config`. */
static inline void lunatic_config_add_arg(lunatic_config_id config, const char* argument) {
  lunatic_raw_wasi_config_add_command_line_argument((uint64_t)config, argument,
                                                    strlen(argument));
}

/* Preopens `dir` for processes spawned from `config`: a directory as the caller sees it, which
 * must lie inside one of the caller's own preopened directories (else the caller fails). */
static inline void lunatic_config_preopen_dir(lunatic_config_id config, const char* dir) {
  lunatic_raw_wasi_config_preopen_dir((uint64_t)config, dir, strlen(dir));
}

/* ---- Wrappers: version and errors ------------------------------------------------------ */

/* The host ABI version (0.13.x); any pointer may be NULL. */
static inline void lunatic_version(uint32_t* major, uint32_t* minor, uint32_t* patch) {
  if (major) *major = lunatic_raw_version_major();
  if (minor) *minor = lunatic_raw_version_minor();
  if (patch) *patch = lunatic_raw_version_patch();
}

/* Copies the error's text with a NUL to `buf` if it fits in `cap`, else writes "" (cap > 0);
 * returns the text's length, like snprintf. */
static inline size_t lunatic_error_string(lunatic_error_id error, char* buf, size_t cap) {
  size_t size = lunatic_raw_error_string_size(error);
  if (size < cap) {
    lunatic_raw_error_to_string(error, buf);
    buf[size] = '\0';
  } else if (cap) {
    buf[0] = '\0';
  }
  return size;
}

/* Frees an error id. */
static inline void lunatic_error_drop(lunatic_error_id error) { lunatic_raw_error_drop(error); }

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LUNATIC_SDK_LUNATIC_H */
