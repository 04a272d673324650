//! JSON pointers (RFC 6901): how every finding says where it is.

/// Escapes one reference token of a JSON pointer.
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Joins reference tokens into a JSON pointer.
pub fn pointer<I, T>(tokens: I) -> String
where
    I: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    tokens
        .into_iter()
        .map(|token| format!("/{}", pointer_token(token.as_ref())))
        .collect()
}

/// `base` with one more reference token.
pub fn child(base: &str, token: &str) -> String {
    format!("{base}/{}", pointer_token(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        assert_eq!(
            pointer(["paths", "/v1/{id}", "get", "a~b"]),
            "/paths/~1v1~1{id}/get/a~0b"
        );
        assert_eq!(pointer(Vec::<&str>::new()), "");
        assert_eq!(child("/paths", "/a~"), "/paths/~1a~0");
    }
}
