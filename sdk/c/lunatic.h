/* lunatic.h: the Lunatic host functions for C and C++ guest programs.
 *
 * Build guests with   clang-19 --target=wasm32-wasi --sysroot=/usr
 * The header has two layers:
 *   - lunatic_raw_<module>_<function>: every host function of the ABI, declared with the Wasm
 *     import module and name it has upstream (Lunatic 0.13). docs/abi.md describes them;
 *     runtime/include/lunatic/lunatic_functions.def lists their Wasm signatures.
 *   - lunatic_<...>: small typed wrappers for the common cases (spawning, messages, links,
 *     registry, timers, configurations, networking, errors). Each is documented in one line.
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
#include <arpa/inet.h> /* inet_pton, inet_ntop: numeric socket addresses */
#include <sys/socket.h>
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
/* This runtime's extension (not in upstream Lunatic): whether processes spawned from a config
 * may bind listening sockets (tcp_bind, udp_bind) and open connections (tcp_connect,
 * udp_connect, udp_send_to). docs/abi.md, "Extensions". */
LUNATIC_IMPORT("lunatic::process", "config_can_listen")
uint32_t lunatic_raw_process_config_can_listen(uint64_t config_id);
LUNATIC_IMPORT("lunatic::process", "config_set_can_listen")
void lunatic_raw_process_config_set_can_listen(uint64_t config_id, uint32_t can);
LUNATIC_IMPORT("lunatic::process", "config_can_spawn_on_nodes")
uint32_t lunatic_raw_process_config_can_spawn_on_nodes(uint64_t config_id);
LUNATIC_IMPORT("lunatic::process", "config_set_can_spawn_on_nodes")
void lunatic_raw_process_config_set_can_spawn_on_nodes(uint64_t config_id, uint32_t can);
LUNATIC_IMPORT("lunatic::process", "config_can_connect")
uint32_t lunatic_raw_process_config_can_connect(uint64_t config_id);
LUNATIC_IMPORT("lunatic::process", "config_set_can_connect")
void lunatic_raw_process_config_set_can_connect(uint64_t config_id, uint32_t can);
/* This runtime's extension too: the bytes of host memory (mailbox, message slot, resources,
 * pending timers, registry names) a process spawned from a config may have the runtime hold
 * before it fails. docs/abi.md, "Extensions". */
LUNATIC_IMPORT("lunatic::process", "config_set_max_host_memory")
void lunatic_raw_process_config_set_max_host_memory(uint64_t config_id, uint64_t bytes);
LUNATIC_IMPORT("lunatic::process", "config_get_max_host_memory")
uint64_t lunatic_raw_process_config_get_max_host_memory(uint64_t config_id);
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
/* This runtime's extension (not in upstream Lunatic): config_preopen_dir, read-only.
 * docs/abi.md, "Extensions". */
LUNATIC_IMPORT("lunatic::wasi", "config_preopen_dir_read_only")
void lunatic_raw_wasi_config_preopen_dir_read_only(uint64_t config_id, const char* dir,
                                                   size_t dir_len);

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

/* ---- Raw imports: lunatic::distributed ------------------------------------------------
 * Outside a cluster (an executable started without --node) this node is 0, no nodes are
 * known, and spawn and send reach node 0 only. */

LUNATIC_IMPORT("lunatic::distributed", "nodes_count")
uint32_t lunatic_raw_distributed_nodes_count(void);
LUNATIC_IMPORT("lunatic::distributed", "get_nodes")
uint32_t lunatic_raw_distributed_get_nodes(uint64_t* nodes, uint32_t nodes_len);
LUNATIC_IMPORT("lunatic::distributed", "node_id")
uint64_t lunatic_raw_distributed_node_id(void);
LUNATIC_IMPORT("lunatic::distributed", "module_id")
uint64_t lunatic_raw_distributed_module_id(void);
LUNATIC_IMPORT("lunatic::distributed", "spawn")
uint32_t lunatic_raw_distributed_spawn(uint64_t node_id, int64_t config_id, uint64_t module_id,
                                       const char* function, size_t function_len,
                                       const void* params, size_t params_len, uint64_t* id);
LUNATIC_IMPORT("lunatic::distributed", "send")
uint32_t lunatic_raw_distributed_send(uint64_t node_id, uint64_t process_id);
LUNATIC_IMPORT("lunatic::distributed", "send_receive_skip_search")
uint32_t lunatic_raw_distributed_send_receive_skip_search(uint64_t node_id, uint64_t process_id,
                                                          int64_t wait_on_tag,
                                                          uint64_t timeout_ms);
LUNATIC_IMPORT("lunatic::distributed", "exec_lookup_nodes")
uint32_t lunatic_raw_distributed_exec_lookup_nodes(const char* query, uint32_t query_len,
                                                   uint64_t* query_id, uint32_t* nodes_len,
                                                   uint64_t* error_id);
LUNATIC_IMPORT("lunatic::distributed", "copy_lookup_nodes_results")
int32_t lunatic_raw_distributed_copy_lookup_nodes_results(uint64_t query_id, uint64_t* nodes,
                                                          uint32_t nodes_len,
                                                          uint64_t* error_id);
/* This runtime's extensions (docs/abi.md): links and monitors across nodes, exists, and
 * sending the message being built to a registered name on a node (ours or Erlang's). */
LUNATIC_IMPORT("lunatic::distributed", "link")
void lunatic_raw_distributed_link(uint64_t node_id, uint64_t process_id, int64_t tag);
LUNATIC_IMPORT("lunatic::distributed", "unlink")
void lunatic_raw_distributed_unlink(uint64_t node_id, uint64_t process_id);
LUNATIC_IMPORT("lunatic::distributed", "monitor")
void lunatic_raw_distributed_monitor(uint64_t node_id, uint64_t process_id);
LUNATIC_IMPORT("lunatic::distributed", "stop_monitoring")
void lunatic_raw_distributed_stop_monitoring(uint64_t node_id, uint64_t process_id);
LUNATIC_IMPORT("lunatic::distributed", "exists")
int32_t lunatic_raw_distributed_exists(uint64_t node_id, uint64_t process_id);
LUNATIC_IMPORT("lunatic::distributed", "send_to_name")
uint32_t lunatic_raw_distributed_send_to_name(uint64_t node_id, const char* name, uint32_t name_len);
/* Certificates for a cluster's nodes (docs/abi.md): each answers a guest allocation from the
 * module's exported lunatic_alloc (see lunatic_sqlite.h's LUNATIC_SQLITE_ALLOCATOR) holding
 * bincode Strings: (certificate PEM, key PEM), or the certificate PEM for sign_node (0 if the
 * signing request is unreadable). */
LUNATIC_IMPORT("lunatic::distributed", "test_root_cert")
uint32_t lunatic_raw_distributed_test_root_cert(uint32_t* len);
LUNATIC_IMPORT("lunatic::distributed", "default_server_certificates")
uint32_t lunatic_raw_distributed_default_server_certificates(const char* cert_pem,
                                                             size_t cert_pem_len,
                                                             const char* key_pem,
                                                             size_t key_pem_len, uint32_t* len);
LUNATIC_IMPORT("lunatic::distributed", "sign_node")
uint32_t lunatic_raw_distributed_sign_node(const char* cert_pem, size_t cert_pem_len,
                                           const char* key_pem, size_t key_pem_len,
                                           const char* csr_pem, size_t csr_pem_len,
                                           uint32_t* len);

/* ---- Raw imports: lunatic::trap, lunatic::metrics -------------------------------------- */

/* Calls the module's export _lunatic_catch_trap(function, pointer); its result, or 0 if it
 * trapped. See lunatic_catch. */
LUNATIC_IMPORT("lunatic::trap", "catch")
uint32_t lunatic_raw_trap_catch(uint32_t function, uint32_t pointer);

LUNATIC_IMPORT("lunatic::metrics", "counter")
void lunatic_raw_metrics_counter(const char* name, size_t name_len, uint64_t value);
LUNATIC_IMPORT("lunatic::metrics", "increment_counter")
void lunatic_raw_metrics_increment_counter(const char* name, size_t name_len);
LUNATIC_IMPORT("lunatic::metrics", "gauge")
void lunatic_raw_metrics_gauge(const char* name, size_t name_len, double value);
LUNATIC_IMPORT("lunatic::metrics", "increment_gauge")
void lunatic_raw_metrics_increment_gauge(const char* name, size_t name_len, double value);
LUNATIC_IMPORT("lunatic::metrics", "decrement_gauge")
void lunatic_raw_metrics_decrement_gauge(const char* name, size_t name_len, double value);
LUNATIC_IMPORT("lunatic::metrics", "histogram")
void lunatic_raw_metrics_histogram(const char* name, size_t name_len, double value);

/* ---- Raw imports: lunatic::sqlite (lunatic_sqlite.h has bind lists and replies) ------- */

LUNATIC_IMPORT("lunatic::sqlite", "open")
uint64_t lunatic_raw_sqlite_open(const char* path, size_t path_len, uint64_t* connection_id);
LUNATIC_IMPORT("lunatic::sqlite", "query_prepare")
uint64_t lunatic_raw_sqlite_query_prepare(uint64_t connection_id, const char* query,
                                          size_t query_len);
LUNATIC_IMPORT("lunatic::sqlite", "execute")
uint32_t lunatic_raw_sqlite_execute(uint64_t connection_id, const char* sql, size_t sql_len);
LUNATIC_IMPORT("lunatic::sqlite", "bind_value")
void lunatic_raw_sqlite_bind_value(uint64_t statement_id, const void* bind_list,
                                   size_t bind_list_len);
LUNATIC_IMPORT("lunatic::sqlite", "sqlite3_changes")
uint32_t lunatic_raw_sqlite_sqlite3_changes(uint64_t connection_id);
LUNATIC_IMPORT("lunatic::sqlite", "statement_reset")
void lunatic_raw_sqlite_statement_reset(uint64_t statement_id);
LUNATIC_IMPORT("lunatic::sqlite", "last_error")
uint32_t lunatic_raw_sqlite_last_error(uint64_t connection_id, uint32_t* len);
LUNATIC_IMPORT("lunatic::sqlite", "sqlite3_finalize")
void lunatic_raw_sqlite_sqlite3_finalize(uint64_t statement_id);
LUNATIC_IMPORT("lunatic::sqlite", "sqlite3_step")
uint32_t lunatic_raw_sqlite_sqlite3_step(uint64_t statement_id);
LUNATIC_IMPORT("lunatic::sqlite", "read_column")
uint32_t lunatic_raw_sqlite_read_column(uint64_t statement_id, uint32_t column, uint32_t* len);
LUNATIC_IMPORT("lunatic::sqlite", "column_names")
uint32_t lunatic_raw_sqlite_column_names(uint64_t statement_id, uint32_t* len);
LUNATIC_IMPORT("lunatic::sqlite", "read_row")
uint32_t lunatic_raw_sqlite_read_row(uint64_t statement_id, uint32_t* len);
LUNATIC_IMPORT("lunatic::sqlite", "column_count")
uint32_t lunatic_raw_sqlite_column_count(uint64_t statement_id);
LUNATIC_IMPORT("lunatic::sqlite", "column_name")
uint32_t lunatic_raw_sqlite_column_name(uint64_t statement_id, uint32_t column, uint32_t* len);

/* ---- Wrappers: processes --------------------------------------------------------------- */

/* Writes the 17-byte spawn parameter record of one i32 to `record`. */
static inline void lunatic_param_i32(uint8_t record[LUNATIC_PARAM_SIZE], int32_t value) {
  uint32_t bits = (uint32_t)value;
  memset(record, 0, LUNATIC_PARAM_SIZE);
  record[0] = LUNATIC_PARAM_I32;
  for (int i = 0; i < 4; ++i) record[1 + i] = (uint8_t)(bits >> (8 * i));
}

/* Spawns export `entry`(arg) of `module` (LUNATIC_MODULE_SELF: the caller's) with `config`,
 * linked under `link_tag` unless 0; true and the process id in *out, or false and an error
 * id in *out. */
static inline bool lunatic_spawn_module(lunatic_module_id module, lunatic_config_id config,
                                        lunatic_tag link_tag, const char* entry, int32_t arg,
                                        uint64_t* out) {
  uint8_t params[LUNATIC_PARAM_SIZE];
  lunatic_param_i32(params, arg);
  return lunatic_raw_process_spawn(link_tag, config, module, entry, strlen(entry), params,
                                   sizeof params, out) == 0;
}

/* Spawns export `entry`(arg) of this module; see lunatic_spawn_module. */
static inline bool lunatic_spawn_config(lunatic_config_id config, lunatic_tag link_tag,
                                        const char* entry, int32_t arg, uint64_t* out) {
  return lunatic_spawn_module(LUNATIC_MODULE_SELF, config, link_tag, entry, arg, out);
}

/* Results of lunatic_module_compile. */
typedef enum lunatic_compile_status {
  LUNATIC_COMPILE_OK = 0,      /* *out is a module id */
  LUNATIC_COMPILE_ERROR = 1,   /* *out is an error id: the bytes are not a module compiled in */
  LUNATIC_COMPILE_DENIED = -1, /* the process may not compile modules; *out is untouched */
} lunatic_compile_status;

/* The module whose Wasm bytes are `wasm`: a program runs only code compiled ahead of time,
 * so these must be the exact bytes of a module given to lunaticc with --module (or the
 * program's own). Drop the id with lunatic_module_drop. */
static inline lunatic_compile_status lunatic_module_compile(const void* wasm, size_t len,
                                                            uint64_t* out) {
  return (lunatic_compile_status)lunatic_raw_process_compile_module(wasm, len, out);
}

static inline void lunatic_module_drop(lunatic_module_id module) {
  lunatic_raw_process_drop_module((uint64_t)module);
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

/* A new configuration, or -1 if the caller may not create one. It starts as upstream's, with
 * every permission denied (spawning, creating configurations, compiling modules), no memory
 * or fuel limit beyond the caller's own, and no arguments, environment variables or
 * directories; the network capabilities and host memory budget are the caller's. */
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

/* Allows or denies binding listening sockets (TCP and UDP) to processes spawned from `config`
 * (this runtime's extension; a process can grant it only if it has it). */
static inline void lunatic_config_set_can_listen(lunatic_config_id config, bool can) {
  lunatic_raw_process_config_set_can_listen((uint64_t)config, can ? 1u : 0u);
}

/* Lets processes of `config` spawn on other nodes (this runtime's extension; denied in a new
 * config, and only granted if the caller has it). */
static inline void lunatic_config_set_can_spawn_on_nodes(lunatic_config_id config, bool can) {
  lunatic_raw_process_config_set_can_spawn_on_nodes((uint64_t)config, can ? 1u : 0u);
}

/* Allows or denies connecting (TCP connect, UDP connect and send_to) to processes spawned from
 * `config` (this runtime's extension, as lunatic_config_set_can_listen). */
static inline void lunatic_config_set_can_connect(lunatic_config_id config, bool can) {
  lunatic_raw_process_config_set_can_connect((uint64_t)config, can ? 1u : 0u);
}

/* Sets the host memory budget of processes spawned from `config`, in bytes (this runtime's
 * extension; at most the caller's own). */
static inline void lunatic_config_set_max_host_memory(lunatic_config_id config, uint64_t bytes) {
  lunatic_raw_process_config_set_max_host_memory((uint64_t)config, bytes);
}
static inline uint64_t lunatic_config_max_host_memory(lunatic_config_id config) {
  return lunatic_raw_process_config_get_max_host_memory((uint64_t)config);
}

/* Whether processes spawned from `config` may listen / connect. */
static inline bool lunatic_config_can_listen(lunatic_config_id config) {
  return lunatic_raw_process_config_can_listen((uint64_t)config) != 0;
}
static inline bool lunatic_config_can_connect(lunatic_config_id config) {
  return lunatic_raw_process_config_can_connect((uint64_t)config) != 0;
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

/* As lunatic_config_preopen_dir, read-only: processes spawned from `config` get no right to
 * change anything beneath `dir` (writes, creating, removing, renaming, linking, setting
 * times or sizes all fail with ENOTCAPABLE). */
static inline void lunatic_config_preopen_dir_read_only(lunatic_config_id config,
                                                        const char* dir) {
  lunatic_raw_wasi_config_preopen_dir_read_only((uint64_t)config, dir, strlen(dir));
}

/* ---- Wrappers: networking ---------------------------------------------------------------
 * Listeners, streams, UDP sockets and DNS iterators are resources of the calling process,
 * named by ids. A stream or a UDP socket moves to another process inside a message
 * (lunatic_message_push_tcp_stream). Calls that wait (connect, accept, read, write,
 * receive, resolve) park only the calling process. Binding and connecting need the
 * process's network capabilities (lunatic_config_set_can_listen / _can_connect).
 *
 * Results: LUNATIC_NET_OK; LUNATIC_NET_ERROR with an error id (lunatic::error) in the out
 * parameter; LUNATIC_NET_TIMEOUT when a timeout passed first. Functions returning bool say
 * true for OK and false for ERROR, with the same out parameter. */

typedef uint64_t lunatic_tcp_listener;
typedef uint64_t lunatic_tcp_stream;
typedef uint64_t lunatic_udp_socket;
typedef uint64_t lunatic_dns_iterator;

typedef enum lunatic_net_status {
  LUNATIC_NET_OK = 0,
  LUNATIC_NET_ERROR = 1,
  LUNATIC_NET_TIMEOUT = 9027,
} lunatic_net_status;

/* An IPv4 or IPv6 socket address as the ABI passes it. */
typedef struct lunatic_socket_address {
  uint32_t type;      /* 4 or 6 */
  uint8_t ip[16];     /* the first 4 (IPv4) or all 16 (IPv6) bytes, network order */
  uint16_t port;
  uint32_t flow_info; /* IPv6 only */
  uint32_t scope_id;  /* IPv6 only */
} lunatic_socket_address;

/* A numeric address ("127.0.0.1", "::1") and a port; false if `ip` is neither form. */
static inline bool lunatic_socket_address_parse(const char* ip, uint16_t port,
                                                lunatic_socket_address* out) {
  memset(out, 0, sizeof *out);
  out->port = port;
  if (inet_pton(AF_INET, ip, out->ip) == 1) {
    out->type = 4;
    return true;
  }
  out->type = 6;
  return inet_pton(AF_INET6, ip, out->ip) == 1;
}

/* Writes "1.2.3.4:80" or "[::1]:80" with a NUL to `buf` (truncated to `cap`); returns the
 * length written, without the NUL. */
static inline size_t lunatic_socket_address_format(const lunatic_socket_address* address,
                                                   char* buf, size_t cap) {
  char text[64 + 8];
  size_t n = 0;
  if (address->type == 6) text[n++] = '[';
  if (!inet_ntop(address->type == 6 ? AF_INET6 : AF_INET, address->ip, text + n, 48)) text[n] = 0;
  n += strlen(text + n);
  if (address->type == 6) text[n++] = ']';
  text[n++] = ':';
  char digits[6];
  size_t count = 0;
  unsigned port = address->port;
  do digits[count++] = (char)('0' + port % 10); while ((port /= 10) != 0);
  while (count) text[n++] = digits[--count];
  if (!cap) return 0;
  if (n >= cap) n = cap - 1;
  memcpy(buf, text, n);
  buf[n] = '\0';
  return n;
}

/* Looks up `host` (a name or a numeric address) for `port`, waiting at most `timeout_ms`
 * (LUNATIC_WAIT_FOREVER): OK and an iterator of its addresses in *out (never empty), or an
 * error id in *out. */
static inline lunatic_net_status lunatic_resolve(const char* host, uint16_t port,
                                                 uint64_t timeout_ms, lunatic_dns_iterator* out) {
  /* The ABI takes "host:port", with an IPv6 address in brackets. */
  char name[300];
  size_t host_len = strlen(host);
  size_t n = 0;
  if (host_len > sizeof name - 10) {
    /* No name is this long: the runtime refuses it with an error id. */
    return (lunatic_net_status)lunatic_raw_networking_resolve(host, host_len, timeout_ms, out);
  }
  bool bracket = memchr(host, ':', host_len) != NULL;
  if (bracket) name[n++] = '[';
  memcpy(name + n, host, host_len);
  n += host_len;
  if (bracket) name[n++] = ']';
  name[n++] = ':';
  char digits[6];
  size_t count = 0;
  unsigned p = port;
  do digits[count++] = (char)('0' + p % 10); while ((p /= 10) != 0);
  while (count) name[n++] = digits[--count];
  return (lunatic_net_status)lunatic_raw_networking_resolve(name, n, timeout_ms, out);
}

/* The iterator's next address: true and *out, or false when there are no more. */
static inline bool lunatic_resolve_next(lunatic_dns_iterator iterator,
                                        lunatic_socket_address* out) {
  memset(out, 0, sizeof *out);
  return lunatic_raw_networking_resolve_next(iterator, &out->type, out->ip, &out->port,
                                             &out->flow_info, &out->scope_id) == 0;
}

/* Frees a DNS iterator. */
static inline void lunatic_dns_iterator_drop(lunatic_dns_iterator iterator) {
  lunatic_raw_networking_drop_dns_iterator(iterator);
}

/* Binds a TCP listener to `address` (port 0: the system chooses): true and the listener in
 * *out, or false and an error id in *out. */
static inline bool lunatic_tcp_bind_address(const lunatic_socket_address* address,
                                            lunatic_tcp_listener* out) {
  return lunatic_raw_networking_tcp_bind(address->type, address->ip, address->port,
                                         address->flow_info, address->scope_id, out) == 0;
}

/* The first address of `host` ("127.0.0.1", "::", "localhost") with `port`: true and *out,
 * or false and an error id in *error. */
static inline bool lunatic_first_address(const char* host, uint16_t port, lunatic_socket_address* out,
                                         lunatic_error_id* error) {
  lunatic_dns_iterator addresses;
  if (lunatic_resolve(host, port, LUNATIC_WAIT_FOREVER, &addresses) != LUNATIC_NET_OK) {
    *error = addresses;
    return false;
  }
  bool found = lunatic_resolve_next(addresses, out);
  lunatic_dns_iterator_drop(addresses);
  *error = 0; /* !found cannot happen: resolve never succeeds without an address */
  return found;
}

/* Binds a TCP listener to the first address of `host` ("127.0.0.1", "::", "localhost") and
 * `port`; as lunatic_tcp_bind_address. */
static inline bool lunatic_tcp_bind(const char* host, uint16_t port, lunatic_tcp_listener* out) {
  lunatic_socket_address address;
  return lunatic_first_address(host, port, &address, out) && lunatic_tcp_bind_address(&address, out);
}

/* The address a listener is bound to (its port after binding port 0): true and *out, or
 * false and an error id in *error (dropped if `error` is NULL). */
static inline bool lunatic_tcp_local_addr(lunatic_tcp_listener listener,
                                          lunatic_socket_address* out, lunatic_error_id* error) {
  uint64_t id;
  if (lunatic_raw_networking_tcp_local_addr(listener, &id) != 0) {
    if (error) *error = id; else lunatic_raw_error_drop(id);
    return false;
  }
  lunatic_resolve_next(id, out);
  lunatic_dns_iterator_drop(id);
  return true;
}

/* Waits for a connection: true and the stream in *out (and its peer's address in *peer,
 * unless NULL), or false and an error id in *out. */
static inline bool lunatic_tcp_accept(lunatic_tcp_listener listener, lunatic_tcp_stream* out,
                                      lunatic_socket_address* peer) {
  uint64_t peer_iterator = 0;
  if (lunatic_raw_networking_tcp_accept(listener, out, &peer_iterator) != 0) return false;
  if (peer) lunatic_resolve_next(peer_iterator, peer);
  lunatic_dns_iterator_drop(peer_iterator);
  return true;
}

/* Connects to `address`, waiting at most `timeout_ms` (LUNATIC_WAIT_FOREVER): OK and the
 * stream in *out, ERROR and an error id in *out, or TIMEOUT. */
static inline lunatic_net_status lunatic_tcp_connect_address(const lunatic_socket_address* address,
                                                             uint64_t timeout_ms,
                                                             lunatic_tcp_stream* out) {
  return (lunatic_net_status)lunatic_raw_networking_tcp_connect(
      address->type, address->ip, address->port, address->flow_info, address->scope_id,
      timeout_ms, out);
}

/* Connects to `host` ("localhost", "10.0.0.1", "::1") and `port`, trying its addresses in
 * turn until one accepts; `timeout_ms` bounds the lookup and each attempt. As
 * lunatic_tcp_connect_address; on ERROR *out is the last attempt's error. */
static inline lunatic_net_status lunatic_tcp_connect(const char* host, uint16_t port,
                                                     uint64_t timeout_ms,
                                                     lunatic_tcp_stream* out) {
  lunatic_dns_iterator addresses;
  lunatic_net_status status = lunatic_resolve(host, port, timeout_ms, &addresses);
  if (status != LUNATIC_NET_OK) {
    *out = addresses;
    return status;
  }
  lunatic_socket_address address;
  uint64_t last_error = 0;
  status = LUNATIC_NET_ERROR;
  while (lunatic_resolve_next(addresses, &address)) {
    uint64_t result;
    lunatic_net_status attempt = lunatic_tcp_connect_address(&address, timeout_ms, &result);
    if (attempt == LUNATIC_NET_OK) {
      if (last_error) lunatic_raw_error_drop(last_error);
      *out = result;
      status = LUNATIC_NET_OK;
      break;
    }
    if (attempt == LUNATIC_NET_ERROR) {
      if (last_error) lunatic_raw_error_drop(last_error);
      last_error = result;
    } else {
      status = LUNATIC_NET_TIMEOUT;
    }
  }
  lunatic_dns_iterator_drop(addresses);
  if (status == LUNATIC_NET_OK) return status;
  if (last_error) {
    *out = last_error;
    return LUNATIC_NET_ERROR;
  }
  return status; /* every attempt timed out (or, impossibly, no address) */
}

/* The address of a stream's peer: as lunatic_tcp_local_addr. */
static inline bool lunatic_tcp_peer_addr(lunatic_tcp_stream stream, lunatic_socket_address* out,
                                         lunatic_error_id* error) {
  uint64_t id;
  if (lunatic_raw_networking_tcp_peer_addr(stream, &id) != 0) {
    if (error) *error = id; else lunatic_raw_error_drop(id);
    return false;
  }
  lunatic_resolve_next(id, out);
  lunatic_dns_iterator_drop(id);
  return true;
}

/* Reads up to `len` bytes, waiting for at least one (up to the stream's read timeout): OK and
 * the count in *out (0: the peer closed its side), ERROR and an error id, or TIMEOUT. */
static inline lunatic_net_status lunatic_tcp_read(lunatic_tcp_stream stream, void* buf, size_t len,
                                                  uint64_t* out) {
  return (lunatic_net_status)lunatic_raw_networking_tcp_read(stream, buf, len, out);
}

/* As lunatic_tcp_read, but the bytes stay to be read again (up to the peek timeout). */
static inline lunatic_net_status lunatic_tcp_peek(lunatic_tcp_stream stream, void* buf, size_t len,
                                                  uint64_t* out) {
  return (lunatic_net_status)lunatic_raw_networking_tcp_peek(stream, buf, len, out);
}

/* Writes all `len` bytes through `write_vectored` (tcp's or tls's raw function); as
 * lunatic_tcp_write. */
static inline lunatic_net_status lunatic_write_all(uint32_t (*write_vectored)(uint64_t, const lunatic_ciovec*, size_t,
                                                                             uint64_t*),
                                                   uint64_t stream, const void* data, size_t len, uint64_t* out) {
  size_t done = 0;
  do {
    lunatic_ciovec chunk = {(const uint8_t*)data + done, len - done};
    uint64_t n;
    lunatic_net_status status = (lunatic_net_status)write_vectored(stream, &chunk, 1, &n);
    if (status == LUNATIC_NET_ERROR) {
      *out = n;
      return status;
    }
    if (status == LUNATIC_NET_TIMEOUT) {
      *out = done;
      return status;
    }
    done += (size_t)n;
  } while (done < len);
  *out = done;
  return LUNATIC_NET_OK;
}

/* Writes all `len` bytes (each wait up to the stream's write timeout): OK and *out = len;
 * ERROR and an error id in *out; TIMEOUT and the bytes written before it in *out. */
static inline lunatic_net_status lunatic_tcp_write(lunatic_tcp_stream stream, const void* data,
                                                   size_t len, uint64_t* out) {
  return lunatic_write_all(lunatic_raw_networking_tcp_write_vectored, stream, data, len, out);
}

/* Flushes the stream (the runtime buffers nothing: always true unless the stream failed);
 * false and an error id in *error (dropped if NULL). */
static inline bool lunatic_tcp_flush(lunatic_tcp_stream stream, lunatic_error_id* error) {
  uint64_t id = 0;
  if (lunatic_raw_networking_tcp_flush(stream, &id) == 0) return true;
  if (error) *error = id; else lunatic_raw_error_drop(id);
  return false;
}

/* Timeouts of a stream's reads, writes and peeks in milliseconds (LUNATIC_WAIT_FOREVER:
 * none, the default). They belong to the stream: its clones share them. */
static inline void lunatic_tcp_set_read_timeout(lunatic_tcp_stream stream, uint64_t ms) {
  lunatic_raw_networking_set_read_timeout(stream, ms);
}
static inline void lunatic_tcp_set_write_timeout(lunatic_tcp_stream stream, uint64_t ms) {
  lunatic_raw_networking_set_write_timeout(stream, ms);
}
static inline void lunatic_tcp_set_peek_timeout(lunatic_tcp_stream stream, uint64_t ms) {
  lunatic_raw_networking_set_peek_timeout(stream, ms);
}
static inline uint64_t lunatic_tcp_get_read_timeout(lunatic_tcp_stream stream) {
  return lunatic_raw_networking_get_read_timeout(stream);
}
static inline uint64_t lunatic_tcp_get_write_timeout(lunatic_tcp_stream stream) {
  return lunatic_raw_networking_get_write_timeout(stream);
}
static inline uint64_t lunatic_tcp_get_peek_timeout(lunatic_tcp_stream stream) {
  return lunatic_raw_networking_get_peek_timeout(stream);
}

/* A second id for the same connection (one socket: the connection closes with its last id). */
static inline lunatic_tcp_stream lunatic_tcp_clone(lunatic_tcp_stream stream) {
  return lunatic_raw_networking_clone_tcp_stream(stream);
}

/* Drops a stream id; the connection closes when no id (here or in another process) is left. */
static inline void lunatic_tcp_close(lunatic_tcp_stream stream) {
  lunatic_raw_networking_drop_tcp_stream(stream);
}

/* Drops a listener, which stops listening. */
static inline void lunatic_tcp_listener_close(lunatic_tcp_listener listener) {
  lunatic_raw_networking_drop_tcp_listener(listener);
}

/* ---- TLS: as TCP, encrypted (OpenSSL in the runtime). A server binds with a PEM
 * certificate (then its chain) and a PEM private key; a client checks the server's
 * certificate against the host name it connects to and against the CA certificates it
 * passes, or, passing none, the system's CA store (SSL_CERT_FILE or SSL_CERT_DIR in the
 * executable's environment name another: docs/abi.md, "TLS"). An accepted stream's handshake
 * runs on its first read or write; a failed one is that call's error. */

typedef uint64_t lunatic_tls_listener;
typedef uint64_t lunatic_tls_stream;

/* Binds a TLS listener to `address`: true and the listener in *out, or false and an error id
 * in *out (a certificate or key that cannot be used, too). */
static inline bool lunatic_tls_bind_address(const lunatic_socket_address* address, const char* cert_pem,
                                            const char* key_pem, lunatic_tls_listener* out) {
  return lunatic_raw_networking_tls_bind(address->type, address->ip, address->port, address->flow_info,
                                         address->scope_id, out, cert_pem, strlen(cert_pem), key_pem,
                                         strlen(key_pem)) == 0;
}

/* Binds a TLS listener to the first address of `host` and `port`; as lunatic_tls_bind_address. */
static inline bool lunatic_tls_bind(const char* host, uint16_t port, const char* cert_pem, const char* key_pem,
                                    lunatic_tls_listener* out) {
  lunatic_socket_address address;
  return lunatic_first_address(host, port, &address, out) &&
         lunatic_tls_bind_address(&address, cert_pem, key_pem, out);
}

/* The address a TLS listener is bound to; as lunatic_tcp_local_addr. */
static inline bool lunatic_tls_local_addr(lunatic_tls_listener listener, lunatic_socket_address* out,
                                          lunatic_error_id* error) {
  uint64_t id;
  if (lunatic_raw_networking_tls_local_addr(listener, &id) != 0) {
    if (error) *error = id; else lunatic_raw_error_drop(id);
    return false;
  }
  lunatic_resolve_next(id, out);
  lunatic_dns_iterator_drop(id);
  return true;
}

/* Waits for a connection; as lunatic_tcp_accept. */
static inline bool lunatic_tls_accept(lunatic_tls_listener listener, lunatic_tls_stream* out,
                                      lunatic_socket_address* peer) {
  uint64_t peer_iterator = 0;
  if (lunatic_raw_networking_tls_accept(listener, out, &peer_iterator) != 0) return false;
  if (peer) lunatic_resolve_next(peer_iterator, peer);
  lunatic_dns_iterator_drop(peer_iterator);
  return true;
}

/* Connects to `host` (a name or a numeric address, which the certificate must name) and
 * `port` and makes the handshake, all within `timeout_ms` (LUNATIC_WAIT_FOREVER), trusting
 * the `ca_count` PEM certificates of `ca_pems` (0: the system's store): OK and the stream in
 * *out, ERROR and an error id in *out (an untrusted certificate, a wrong name, ...), or
 * TIMEOUT. */
static inline lunatic_net_status lunatic_tls_connect(const char* host, uint16_t port, uint64_t timeout_ms,
                                                     const char* const* ca_pems, size_t ca_count,
                                                     lunatic_tls_stream* out) {
  lunatic_ciovec cas[16];
  if (ca_count > sizeof cas / sizeof cas[0]) ca_count = sizeof cas / sizeof cas[0];
  for (size_t k = 0; k < ca_count; ++k) {
    cas[k].buf = ca_pems[k];
    cas[k].len = strlen(ca_pems[k]);
  }
  return (lunatic_net_status)lunatic_raw_networking_tls_connect(host, strlen(host), port, timeout_ms, out, cas,
                                                                ca_count);
}

/* Reads up to `len` bytes; as lunatic_tcp_read (0: the peer closed the stream). */
static inline lunatic_net_status lunatic_tls_read(lunatic_tls_stream stream, void* buf, size_t len, uint64_t* out) {
  return (lunatic_net_status)lunatic_raw_networking_tls_read(stream, buf, len, out);
}

/* Writes all `len` bytes; as lunatic_tcp_write. */
static inline lunatic_net_status lunatic_tls_write(lunatic_tls_stream stream, const void* data, size_t len,
                                                   uint64_t* out) {
  return lunatic_write_all(lunatic_raw_networking_tls_write_vectored, stream, data, len, out);
}

/* Sends what a timed-out write left behind; as lunatic_tcp_flush. */
static inline bool lunatic_tls_flush(lunatic_tls_stream stream, lunatic_error_id* error) {
  uint64_t id = 0;
  if (lunatic_raw_networking_tls_flush(stream, &id) == 0) return true;
  if (error) *error = id; else lunatic_raw_error_drop(id);
  return false;
}

/* Timeouts of a stream's reads and writes in milliseconds; as TCP's. */
static inline void lunatic_tls_set_read_timeout(lunatic_tls_stream stream, uint64_t ms) {
  lunatic_raw_networking_set_tls_read_timeout(stream, ms);
}
static inline void lunatic_tls_set_write_timeout(lunatic_tls_stream stream, uint64_t ms) {
  lunatic_raw_networking_set_tls_write_timeout(stream, ms);
}
static inline uint64_t lunatic_tls_get_read_timeout(lunatic_tls_stream stream) {
  return lunatic_raw_networking_get_tls_read_timeout(stream);
}
static inline uint64_t lunatic_tls_get_write_timeout(lunatic_tls_stream stream) {
  return lunatic_raw_networking_get_tls_write_timeout(stream);
}

/* A second id for the same TLS connection; as lunatic_tcp_clone. */
static inline lunatic_tls_stream lunatic_tls_clone(lunatic_tls_stream stream) {
  return lunatic_raw_networking_clone_tls_stream(stream);
}

/* Drops a stream id; the last one sends close_notify and closes the connection. */
static inline void lunatic_tls_close(lunatic_tls_stream stream) { lunatic_raw_networking_drop_tls_stream(stream); }

/* Drops a TLS listener, which stops listening. */
static inline void lunatic_tls_listener_close(lunatic_tls_listener listener) {
  lunatic_raw_networking_drop_tls_listener(listener);
}

/* Binds a UDP socket to `address` (port 0: the system chooses): true and the socket in *out,
 * or false and an error id in *out. */
static inline bool lunatic_udp_bind_address(const lunatic_socket_address* address,
                                            lunatic_udp_socket* out) {
  return lunatic_raw_networking_udp_bind(address->type, address->ip, address->port,
                                         address->flow_info, address->scope_id, out) == 0;
}

/* Binds a UDP socket to the first address of `host` and `port`; as lunatic_udp_bind_address. */
static inline bool lunatic_udp_bind(const char* host, uint16_t port, lunatic_udp_socket* out) {
  lunatic_dns_iterator addresses;
  if (lunatic_resolve(host, port, LUNATIC_WAIT_FOREVER, &addresses) != LUNATIC_NET_OK) {
    *out = addresses;
    return false;
  }
  lunatic_socket_address address;
  bool found = lunatic_resolve_next(addresses, &address);
  lunatic_dns_iterator_drop(addresses);
  if (!found) {
    *out = 0; /* cannot happen: resolve never succeeds without an address */
    return false;
  }
  return lunatic_udp_bind_address(&address, out);
}

/* The address a UDP socket is bound to: as lunatic_tcp_local_addr. */
static inline bool lunatic_udp_local_addr(lunatic_udp_socket socket, lunatic_socket_address* out,
                                          lunatic_error_id* error) {
  uint64_t id;
  if (lunatic_raw_networking_udp_local_addr(socket, &id) != 0) {
    if (error) *error = id; else lunatic_raw_error_drop(id);
    return false;
  }
  lunatic_resolve_next(id, out);
  lunatic_dns_iterator_drop(id);
  return true;
}

/* Connects a UDP socket to `address`: lunatic_udp_send and lunatic_udp_receive then talk to
 * it alone. OK; ERROR and an error id in *error (dropped if NULL); or TIMEOUT. */
static inline lunatic_net_status lunatic_udp_connect(lunatic_udp_socket socket,
                                                     const lunatic_socket_address* address,
                                                     uint64_t timeout_ms, lunatic_error_id* error) {
  uint64_t id = 0;
  lunatic_net_status status = (lunatic_net_status)lunatic_raw_networking_udp_connect(
      socket, address->type, address->ip, address->port, address->flow_info, address->scope_id,
      timeout_ms, &id);
  if (status == LUNATIC_NET_ERROR) {
    if (error) *error = id; else lunatic_raw_error_drop(id);
  }
  return status;
}

/* Sends one datagram to the connected peer: true and the bytes sent in *out, or false and an
 * error id in *out. */
static inline bool lunatic_udp_send(lunatic_udp_socket socket, const void* data, size_t len,
                                    uint64_t* out) {
  return lunatic_raw_networking_udp_send(socket, data, len, out) == 0;
}

/* Sends one datagram to `to`; as lunatic_udp_send. */
static inline bool lunatic_udp_send_to(lunatic_udp_socket socket, const void* data, size_t len,
                                       const lunatic_socket_address* to, uint64_t* out) {
  return lunatic_raw_networking_udp_send_to(socket, data, len, to->type, to->ip, to->port,
                                            to->flow_info, to->scope_id, out) == 0;
}

/* Waits for one datagram (from the connected peer, if connected) and copies up to `len` bytes
 * of it: true and the count in *out, or false and an error id in *out. */
static inline bool lunatic_udp_receive(lunatic_udp_socket socket, void* buf, size_t len,
                                       uint64_t* out) {
  return lunatic_raw_networking_udp_receive(socket, buf, len, out) == 0;
}

/* As lunatic_udp_receive, with the sender's address in *from (unless NULL). */
static inline bool lunatic_udp_receive_from(lunatic_udp_socket socket, void* buf, size_t len,
                                            uint64_t* out, lunatic_socket_address* from) {
  uint64_t sender = 0;
  if (lunatic_raw_networking_udp_receive_from(socket, buf, len, out, &sender) != 0) return false;
  if (from) lunatic_resolve_next(sender, from);
  lunatic_dns_iterator_drop(sender);
  return true;
}

/* SO_BROADCAST and the IP time-to-live of a UDP socket. */
static inline void lunatic_udp_set_broadcast(lunatic_udp_socket socket, bool on) {
  lunatic_raw_networking_set_udp_socket_broadcast(socket, on ? 1u : 0u);
}
static inline bool lunatic_udp_get_broadcast(lunatic_udp_socket socket) {
  return lunatic_raw_networking_get_udp_socket_broadcast(socket) != 0;
}
static inline void lunatic_udp_set_ttl(lunatic_udp_socket socket, uint32_t ttl) {
  lunatic_raw_networking_set_udp_socket_ttl(socket, ttl);
}
static inline uint32_t lunatic_udp_get_ttl(lunatic_udp_socket socket) {
  return lunatic_raw_networking_get_udp_socket_ttl(socket);
}

/* A second id for the same UDP socket. */
static inline lunatic_udp_socket lunatic_udp_clone(lunatic_udp_socket socket) {
  return lunatic_raw_networking_clone_udp_socket(socket);
}

/* Drops a UDP socket id; the socket closes when no id is left. */
static inline void lunatic_udp_close(lunatic_udp_socket socket) {
  lunatic_raw_networking_drop_udp_socket(socket);
}

/* Moves `stream` into the message being built (after lunatic_message_create): it leaves the
 * caller's table; returns its index in the message. */
static inline uint64_t lunatic_message_push_tcp_stream(lunatic_tcp_stream stream) {
  return lunatic_raw_message_push_tcp_stream(stream);
}

/* Takes the stream at `index` out of the received message; returns its id in the caller. */
static inline lunatic_tcp_stream lunatic_message_take_tcp_stream(uint64_t index) {
  return lunatic_raw_message_take_tcp_stream(index);
}

/* As lunatic_message_push_tcp_stream, for a TLS stream. */
static inline uint64_t lunatic_message_push_tls_stream(lunatic_tls_stream stream) {
  return lunatic_raw_message_push_tls_stream(stream);
}

/* As lunatic_message_take_tcp_stream, for a TLS stream. */
static inline lunatic_tls_stream lunatic_message_take_tls_stream(uint64_t index) {
  return lunatic_raw_message_take_tls_stream(index);
}

/* As lunatic_message_push_tcp_stream, for a UDP socket. */
static inline uint64_t lunatic_message_push_udp_socket(lunatic_udp_socket socket) {
  return lunatic_raw_message_push_udp_socket(socket);
}

/* As lunatic_message_take_tcp_stream, for a UDP socket. */
static inline lunatic_udp_socket lunatic_message_take_udp_socket(uint64_t index) {
  return lunatic_raw_message_take_udp_socket(index);
}

/* Sends `stream` (moved: it leaves the caller) to `pid` in a message tagged `tag` with
 * `len` bytes of `data`; the receiver takes it with lunatic_message_take_tcp_stream(0). */
static inline void lunatic_send_tcp_stream(lunatic_process_id pid, lunatic_tag tag,
                                           lunatic_tcp_stream stream, const void* data,
                                           size_t len) {
  lunatic_message_create(tag, data, len);
  lunatic_raw_message_push_tcp_stream(stream);
  lunatic_raw_message_send(pid);
}

/* As lunatic_send_tcp_stream, for a TLS stream (taken with lunatic_message_take_tls_stream). */
static inline void lunatic_send_tls_stream(lunatic_process_id pid, lunatic_tag tag, lunatic_tls_stream stream,
                                           const void* data, size_t len) {
  lunatic_message_create(tag, data, len);
  lunatic_raw_message_push_tls_stream(stream);
  lunatic_raw_message_send(pid);
}

/* ---- Wrappers: catching traps ---------------------------------------------------------- */

/* A function lunatic_catch can call: one i32 in, one i32 out. */
typedef uint32_t (*lunatic_caught_fn)(uint32_t arg);

/* Defines the export _lunatic_catch_trap that the runtime calls back for lunatic_catch. Write
 * it once, at file scope, in one source file of a program that uses lunatic_catch. */
#define LUNATIC_CATCH_TRAMPOLINE                                                               \
  __attribute__((export_name("_lunatic_catch_trap"))) uint32_t lunatic_catch_trampoline(      \
      uint32_t function, uint32_t arg) {                                                      \
    return ((lunatic_caught_fn)(uintptr_t)function)(arg);                                     \
  }

/* Calls fn(arg) so that a trap inside it ends only that call: returns fn's result, or 0 if
 * it trapped. Memory stays as the trap left it. An exit or a kill inside fn is not caught. */
static inline uint32_t lunatic_catch(lunatic_caught_fn fn, uint32_t arg) {
  return lunatic_raw_trap_catch((uint32_t)(uintptr_t)fn, arg);
}

/* ---- Wrappers: metrics and nodes ------------------------------------------------------- */

/* Adds `value` to the counter `name` (NUL-terminated, UTF-8). */
static inline void lunatic_metrics_counter(const char* name, uint64_t value) {
  lunatic_raw_metrics_counter(name, strlen(name), value);
}
/* Sets the gauge `name` to `value`; lunatic_metrics_gauge_add moves it by `delta`. */
static inline void lunatic_metrics_gauge(const char* name, double value) {
  lunatic_raw_metrics_gauge(name, strlen(name), value);
}
static inline void lunatic_metrics_gauge_add(const char* name, double delta) {
  lunatic_raw_metrics_increment_gauge(name, strlen(name), delta);
}
/* Records a sample `value` in the histogram `name`. */
static inline void lunatic_metrics_histogram(const char* name, double value) {
  lunatic_raw_metrics_histogram(name, strlen(name), value);
}

/* ---- Wrappers: nodes (docs/abi.md, "Erlang distribution") ------------------------------ */

/* The node this process runs on (0 outside a cluster). */
static inline uint64_t lunatic_node_id(void) { return lunatic_raw_distributed_node_id(); }

/* The nodes of the cluster, this one included (0 outside a cluster). */
static inline uint32_t lunatic_nodes_count(void) { return lunatic_raw_distributed_nodes_count(); }

/* Copies up to `cap` node ids to `nodes`; returns how many. */
static inline uint32_t lunatic_nodes(uint64_t* nodes, uint32_t cap) {
  return lunatic_raw_distributed_get_nodes(nodes, cap);
}

/* Results of lunatic_node_spawn and lunatic_node_send. */
typedef enum lunatic_node_status {
  LUNATIC_NODE_OK = 0,
  LUNATIC_NODE_NO_SUCH = 1,        /* spawn: no such node; send: no such process */
  LUNATIC_NODE_NO_NODE_OR_MODULE = 2, /* spawn: no such module there; send: no such node */
  LUNATIC_NODE_UNREACHABLE = 9027, /* spawn: refused or failed; *out is an error id */
} lunatic_node_status;

/* Spawns export `entry`(arg) of the caller's module on `node` with `config`
 * (LUNATIC_CONFIG_INHERIT: the caller's); the process id, or an error id, in *out. Needs the
 * config's permission to spawn on nodes (lunatic_config_set_can_spawn_on_nodes). */
static inline lunatic_node_status lunatic_node_spawn(uint64_t node, lunatic_config_id config,
                                                     const char* entry, int32_t arg,
                                                     uint64_t* out) {
  uint8_t params[LUNATIC_PARAM_SIZE];
  lunatic_param_i32(params, arg);
  return (lunatic_node_status)lunatic_raw_distributed_spawn(
      node, config, lunatic_raw_distributed_module_id(), entry, strlen(entry), params,
      sizeof params, out);
}

/* Sends `len` bytes of `data` tagged `tag` to `pid` on `node`. */
static inline lunatic_node_status lunatic_node_send(uint64_t node, lunatic_process_id pid,
                                                    lunatic_tag tag, const void* data, size_t len) {
  lunatic_message_create(tag, data, len);
  return (lunatic_node_status)lunatic_raw_distributed_send(node, pid);
}

/* Sends to the process registered on `node` as `name` (an Erlang node: erlang:register's). */
static inline lunatic_node_status lunatic_node_send_to_name(uint64_t node, const char* name,
                                                            lunatic_tag tag, const void* data,
                                                            size_t len) {
  lunatic_message_create(tag, data, len);
  return (lunatic_node_status)lunatic_raw_distributed_send_to_name(node, name, strlen(name));
}

/* As lunatic_request, to `pid` on `node`; TIMEOUT also if the send failed. */
static inline lunatic_receive_status lunatic_node_request(uint64_t node, lunatic_process_id pid,
                                                          lunatic_tag tag, const void* data,
                                                          size_t len, uint64_t timeout_ms,
                                                          void* buf, size_t cap,
                                                          lunatic_message_info* info) {
  lunatic_message_create(tag, data, len);
  if (lunatic_raw_distributed_send_receive_skip_search(node, pid, tag, timeout_ms) != 0)
    return LUNATIC_RECEIVE_TIMEOUT;
  lunatic_message_info_fill(LUNATIC_RECEIVE_DATA, buf, cap, info);
  return LUNATIC_RECEIVE_DATA;
}

/* Links to, or monitors, `pid` on `node`, as lunatic_link and lunatic_monitor do locally; a
 * node that goes down fails its links and ends its monitors. */
static inline void lunatic_node_link(uint64_t node, lunatic_process_id pid, lunatic_tag tag) {
  lunatic_raw_distributed_link(node, pid, tag);
}
static inline void lunatic_node_unlink(uint64_t node, lunatic_process_id pid) {
  lunatic_raw_distributed_unlink(node, pid);
}
static inline void lunatic_node_monitor(uint64_t node, lunatic_process_id pid) {
  lunatic_raw_distributed_monitor(node, pid);
}
static inline void lunatic_node_stop_monitoring(uint64_t node, lunatic_process_id pid) {
  lunatic_raw_distributed_stop_monitoring(node, pid);
}

/* 1 if `pid` lives on `node`, 0 if not, -1 if the node is not known. */
static inline int lunatic_node_exists(uint64_t node, lunatic_process_id pid) {
  return lunatic_raw_distributed_exists(node, pid);
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
