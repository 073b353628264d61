// std::env: the arguments after argv[0] arrive unchanged, and the guest's environment is
// exactly what was granted (nothing of the host's).
// args: first "second arg" --third=3 '' héllo
// env: GREETING=hello world
// env: EQUATION=a=b
// env: EMPTY=
// expect-stdout: 6 arguments
// expect-stdout: 3 variables
#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::env;

fn main() {
    let args: Vec<String> = env::args().collect();
    println!("{} arguments", args.len());
    check!(!args.is_empty() && !args[0].is_empty(), "argv[0] is missing: {args:?}");
    check_eq!(args.get(1..).unwrap_or(&[]), ["first", "second arg", "--third=3", "", "héllo"], "arguments");

    let vars: BTreeMap<String, String> = env::vars().collect();
    println!("{} variables", vars.len());
    let expected: BTreeMap<String, String> =
        [("GREETING", "hello world"), ("EQUATION", "a=b"), ("EMPTY", "")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    check_eq!(vars, expected, "environment");
    check_eq!(env::var("GREETING").ok(), Some("hello world".to_string()), "env::var(GREETING)");
    check_eq!(env::var("EMPTY").ok(), Some(String::new()), "env::var(EMPTY)");
    check!(env::var_os("PATH").is_none(), "the host's PATH reached the guest");
    check!(env::var_os("LUNATIC_DIRS").is_none(), "the grants reached the guest");
}
