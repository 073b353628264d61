//! `ident.to_case(Case::Pascal)`, the one conversion lunatic-macros asks for (to name the
//! types `#[abstract_process]` generates; the benchmarks do not use it). Words are cut at
//! underscores, hyphens, spaces and lower-to-upper changes ("fooBar_baz" is "FooBarBaz");
//! convert_case also cuts at digits and acronyms, which would only spell those names
//! differently.

pub enum Case {
    Pascal,
}

pub trait Casing {
    fn to_case(&self, case: Case) -> String;
}

impl<T: AsRef<str> + ?Sized> Casing for T {
    fn to_case(&self, case: Case) -> String {
        match case {
            Case::Pascal => pascal(self.as_ref()),
        }
    }
}

fn pascal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word_start = true;
    let mut previous_lower = false;
    for c in text.chars() {
        if c == '_' || c == '-' || c == ' ' {
            word_start = true;
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            word_start = true;
        }
        if word_start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        word_start = false;
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    out
}
