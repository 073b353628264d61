// The raw host functions: lunatic::* (docs/abi.md) and the WASI preview 1 calls the package
// uses. Pointers and lengths are usize (i32 on wasm32); ids, tags and timeouts are u64.
// Nothing here is for programs to call: the classes of the other files wrap them.

// ---- lunatic::process -------------------------------------------------------------------
// @ts-ignore: decorator
@external("lunatic::process", "create_config") export declare function create_config(): u64;
// @ts-ignore: decorator
@external("lunatic::process", "drop_config") export declare function drop_config(config: u64): void;
// @ts-ignore: decorator
@external("lunatic::process", "config_set_max_memory") export declare function config_set_max_memory(config: u64, bytes: u64): void;
// @ts-ignore: decorator
@external("lunatic::process", "config_get_max_memory") export declare function config_get_max_memory(config: u64): u64;
// @ts-ignore: decorator
@external("lunatic::process", "config_set_max_fuel") export declare function config_set_max_fuel(config: u64, fuel: u64): void;
// @ts-ignore: decorator
@external("lunatic::process", "config_get_max_fuel") export declare function config_get_max_fuel(config: u64): u64;
// @ts-ignore: decorator
@external("lunatic::process", "config_can_compile_modules") export declare function config_can_compile_modules(config: u64): u32;
// @ts-ignore: decorator
@external("lunatic::process", "config_set_can_compile_modules") export declare function config_set_can_compile_modules(config: u64, flag: u32): void;
// @ts-ignore: decorator
@external("lunatic::process", "config_can_create_configs") export declare function config_can_create_configs(config: u64): u32;
// @ts-ignore: decorator
@external("lunatic::process", "config_set_can_create_configs") export declare function config_set_can_create_configs(config: u64, flag: u32): void;
// @ts-ignore: decorator
@external("lunatic::process", "config_can_spawn_processes") export declare function config_can_spawn_processes(config: u64): u32;
// @ts-ignore: decorator
@external("lunatic::process", "config_set_can_spawn_processes") export declare function config_set_can_spawn_processes(config: u64, flag: u32): void;
// This runtime's extensions (docs/abi.md, "Extensions"): network capabilities and the host
// memory budget of a configuration.
// @ts-ignore: decorator
@external("lunatic::process", "config_can_listen") export declare function config_can_listen(config: u64): u32;
// @ts-ignore: decorator
@external("lunatic::process", "config_set_can_listen") export declare function config_set_can_listen(config: u64, flag: u32): void;
// @ts-ignore: decorator
@external("lunatic::process", "config_can_connect") export declare function config_can_connect(config: u64): u32;
// @ts-ignore: decorator
@external("lunatic::process", "config_set_can_connect") export declare function config_set_can_connect(config: u64, flag: u32): void;
// @ts-ignore: decorator
@external("lunatic::process", "config_set_max_host_memory") export declare function config_set_max_host_memory(config: u64, bytes: u64): void;
// @ts-ignore: decorator
@external("lunatic::process", "config_get_max_host_memory") export declare function config_get_max_host_memory(config: u64): u64;
// @ts-ignore: decorator
@external("lunatic::process", "spawn")
export declare function spawn(link: u64, config: u64, module: u64, func_ptr: usize, func_len: usize,
                              params_ptr: usize, params_len: usize, id_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::process", "sleep_ms") export declare function sleep_ms(ms: u64): void;
// @ts-ignore: decorator
@external("lunatic::process", "die_when_link_dies") export declare function die_when_link_dies(flag: u32): void;
// @ts-ignore: decorator
@external("lunatic::process", "process_id") export declare function process_id(): u64;
// @ts-ignore: decorator
@external("lunatic::process", "link") export declare function link(tag: i64, process: u64): void;
// @ts-ignore: decorator
@external("lunatic::process", "unlink") export declare function unlink(process: u64): void;
// @ts-ignore: decorator
@external("lunatic::process", "monitor") export declare function monitor(process: u64): void;
// @ts-ignore: decorator
@external("lunatic::process", "stop_monitoring") export declare function stop_monitoring(process: u64): void;
// @ts-ignore: decorator
@external("lunatic::process", "kill") export declare function kill(process: u64): void;
// @ts-ignore: decorator
@external("lunatic::process", "exists") export declare function exists(process: u64): u32;

// ---- lunatic::message -------------------------------------------------------------------
// @ts-ignore: decorator
@external("lunatic::message", "create_data") export declare function create_data(tag: i64, capacity: u64): void;
// @ts-ignore: decorator
@external("lunatic::message", "write_data") export declare function write_data(ptr: usize, len: usize): usize;
// @ts-ignore: decorator
@external("lunatic::message", "read_data") export declare function read_data(ptr: usize, len: usize): usize;
// @ts-ignore: decorator
@external("lunatic::message", "seek_data") export declare function seek_data(offset: u64): void;
// @ts-ignore: decorator
@external("lunatic::message", "get_tag") export declare function get_tag(): i64;
// @ts-ignore: decorator
@external("lunatic::message", "get_process_id") export declare function get_process_id(): u64;
// @ts-ignore: decorator
@external("lunatic::message", "data_size") export declare function data_size(): u64;
// @ts-ignore: decorator
@external("lunatic::message", "push_tcp_stream") export declare function push_tcp_stream(stream: u64): u64;
// @ts-ignore: decorator
@external("lunatic::message", "take_tcp_stream") export declare function take_tcp_stream(index: u64): u64;
// @ts-ignore: decorator
@external("lunatic::message", "push_udp_socket") export declare function push_udp_socket(socket: u64): u64;
// @ts-ignore: decorator
@external("lunatic::message", "take_udp_socket") export declare function take_udp_socket(index: u64): u64;
// @ts-ignore: decorator
@external("lunatic::message", "send") export declare function send(process: u64): u32;
// @ts-ignore: decorator
@external("lunatic::message", "send_receive_skip_search")
export declare function send_receive_skip_search(process: u64, wait_on_tag: i64, timeout: u64): u32;
// @ts-ignore: decorator
@external("lunatic::message", "receive") export declare function receive(tags_ptr: usize, tags_count: usize, timeout: u64): u32;

// ---- lunatic::timer, lunatic::registry, lunatic::error, lunatic::trap --------------------
// @ts-ignore: decorator
@external("lunatic::timer", "send_after") export declare function send_after(process: u64, delay: u64): u64;
// @ts-ignore: decorator
@external("lunatic::timer", "cancel_timer") export declare function cancel_timer(timer: u64): u32;
// @ts-ignore: decorator
@external("lunatic::registry", "put") export declare function registry_put(name_ptr: usize, name_len: usize, node: u64, process: u64): void;
// @ts-ignore: decorator
@external("lunatic::registry", "get") export declare function registry_get(name_ptr: usize, name_len: usize, node_ptr: usize, process_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::registry", "remove") export declare function registry_remove(name_ptr: usize, name_len: usize): void;
// @ts-ignore: decorator
@external("lunatic::error", "string_size") export declare function error_string_size(error: u64): usize;
// @ts-ignore: decorator
@external("lunatic::error", "to_string") export declare function error_to_string(error: u64, buf: usize): void;
// @ts-ignore: decorator
@external("lunatic::error", "drop") export declare function error_drop(error: u64): void;
// @ts-ignore: decorator
@external("lunatic::trap", "catch") export declare function trap_catch(func: usize, ptr: usize): i32;

// ---- lunatic::wasi: what a configuration's processes see ---------------------------------
// @ts-ignore: decorator
@external("lunatic::wasi", "config_add_environment_variable")
export declare function config_add_environment_variable(config: u64, key: usize, key_len: usize, value: usize, value_len: usize): void;
// @ts-ignore: decorator
@external("lunatic::wasi", "config_add_command_line_argument")
export declare function config_add_command_line_argument(config: u64, arg: usize, arg_len: usize): void;
// @ts-ignore: decorator
@external("lunatic::wasi", "config_preopen_dir") export declare function config_preopen_dir(config: u64, dir: usize, dir_len: usize): void;

// ---- lunatic::networking ----------------------------------------------------------------
// @ts-ignore: decorator
@external("lunatic::networking", "resolve") export declare function resolve(name: usize, name_len: usize, timeout: u64, id_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "drop_dns_iterator") export declare function drop_dns_iterator(iterator: u64): void;
// @ts-ignore: decorator
@external("lunatic::networking", "resolve_next")
export declare function resolve_next(iterator: u64, type_ptr: usize, addr_ptr: usize, port_ptr: usize, flow_ptr: usize, scope_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "tcp_bind")
export declare function tcp_bind(type: u32, addr: usize, port: u32, flow: u32, scope: u32, id_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "drop_tcp_listener") export declare function drop_tcp_listener(listener: u64): void;
// @ts-ignore: decorator
@external("lunatic::networking", "tcp_local_addr") export declare function tcp_local_addr(listener: u64, id_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "tcp_accept") export declare function tcp_accept(listener: u64, id_ptr: usize, peer_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "tcp_connect")
export declare function tcp_connect(type: u32, addr: usize, port: u32, flow: u32, scope: u32, timeout: u64, id_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "tcp_peer_addr") export declare function tcp_peer_addr(stream: u64, id_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "drop_tcp_stream") export declare function drop_tcp_stream(stream: u64): void;
// @ts-ignore: decorator
@external("lunatic::networking", "clone_tcp_stream") export declare function clone_tcp_stream(stream: u64): u64;
// @ts-ignore: decorator
@external("lunatic::networking", "tcp_write_vectored")
export declare function tcp_write_vectored(stream: u64, ciovec: usize, count: usize, opaque_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "tcp_read") export declare function tcp_read(stream: u64, buf: usize, len: usize, opaque_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "tcp_peek") export declare function tcp_peek(stream: u64, buf: usize, len: usize, opaque_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "set_read_timeout") export declare function set_read_timeout(stream: u64, timeout: u64): void;
// @ts-ignore: decorator
@external("lunatic::networking", "set_write_timeout") export declare function set_write_timeout(stream: u64, timeout: u64): void;
// @ts-ignore: decorator
@external("lunatic::networking", "get_read_timeout") export declare function get_read_timeout(stream: u64): u64;
// @ts-ignore: decorator
@external("lunatic::networking", "tcp_flush") export declare function tcp_flush(stream: u64, error_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "udp_bind")
export declare function udp_bind(type: u32, addr: usize, port: u32, flow: u32, scope: u32, id_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "udp_local_addr") export declare function udp_local_addr(socket: u64, id_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "drop_udp_socket") export declare function drop_udp_socket(socket: u64): void;
// @ts-ignore: decorator
@external("lunatic::networking", "clone_udp_socket") export declare function clone_udp_socket(socket: u64): u64;
// @ts-ignore: decorator
@external("lunatic::networking", "udp_receive") export declare function udp_receive(socket: u64, buf: usize, len: usize, opaque_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "udp_receive_from")
export declare function udp_receive_from(socket: u64, buf: usize, len: usize, opaque_ptr: usize, sender_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "udp_connect")
export declare function udp_connect(socket: u64, type: u32, addr: usize, port: u32, flow: u32, scope: u32, timeout: u64, id_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "udp_send_to")
export declare function udp_send_to(socket: u64, buf: usize, len: usize, type: u32, addr: usize, port: u32, flow: u32, scope: u32, opaque_ptr: usize): u32;
// @ts-ignore: decorator
@external("lunatic::networking", "udp_send") export declare function udp_send(socket: u64, buf: usize, len: usize, opaque_ptr: usize): u32;

// ---- WASI preview 1 -----------------------------------------------------------------------
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_write") export declare function fd_write(fd: u32, iovs: usize, count: usize, written_ptr: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_read") export declare function fd_read(fd: u32, iovs: usize, count: usize, read_ptr: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_close") export declare function fd_close(fd: u32): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_prestat_get") export declare function fd_prestat_get(fd: u32, prestat_ptr: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_prestat_dir_name") export declare function fd_prestat_dir_name(fd: u32, path: usize, len: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "path_open")
export declare function path_open(dirfd: u32, lookup_flags: u32, path: usize, path_len: usize, open_flags: u16,
                                  rights_base: u64, rights_inheriting: u64, fd_flags: u16, fd_ptr: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "path_unlink_file") export declare function path_unlink_file(dirfd: u32, path: usize, path_len: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "path_create_directory") export declare function path_create_directory(dirfd: u32, path: usize, path_len: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "args_sizes_get") export declare function args_sizes_get(count_ptr: usize, size_ptr: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "args_get") export declare function args_get(argv_ptr: usize, buf_ptr: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_sizes_get") export declare function environ_sizes_get(count_ptr: usize, size_ptr: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_get") export declare function environ_get(environ_ptr: usize, buf_ptr: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "clock_time_get") export declare function clock_time_get(clock: u32, precision: u64, time_ptr: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "random_get") export declare function random_get(buf: usize, len: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "proc_exit") export declare function proc_exit(code: u32): void;
