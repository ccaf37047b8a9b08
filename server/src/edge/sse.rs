//! Reading a server-sent event stream from bytes as they arrive: the events
//! (name, id, data) a chunk completes; comments and partial lines wait.

/// One event: its name (`message` when unnamed), its `id:` and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub name: String,
    pub id: Option<String>,
    pub data: String,
}

/// Bytes in, events out.
#[derive(Debug, Default)]
pub struct SseParser {
    /// What is not yet a whole line.
    partial: Vec<u8>,
    name: Option<String>,
    id: Option<String>,
    data: Option<String>,
}

impl SseParser {
    /// Feeds a chunk; returns the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.partial.extend_from_slice(chunk);
        let mut events = Vec::new();
        while let Some(end) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if let Some(event) = self.line(line) {
                events.push(event);
            }
        }
        events
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None; // A keep-alive comment.
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value).to_string();
        match field {
            "event" => self.name = Some(value),
            "id" => self.id = Some(value),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(&value);
                }
                None => self.data = Some(value),
            },
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let name = self.name.take();
        let id = self.id.take();
        let data = self.data.take()?;
        Some(SseEvent {
            name: name.unwrap_or_else(|| "message".into()),
            id,
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_come_out_whole() {
        let mut p = SseParser::default();
        assert!(p.push(b": keep-alive\n\nevent: vend\nid: 7\nda").is_empty());
        let events = p.push(b"ta: {\"a\":1}\r\n\nevent: ping\ndata: x\n\n");
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].name, "vend");
        assert_eq!(events[0].id.as_deref(), Some("7"));
        assert_eq!(events[0].data, "{\"a\":1}");
        assert_eq!(events[1].id, None);
    }

    #[test]
    fn a_block_without_data_is_no_event() {
        let mut p = SseParser::default();
        assert!(p.push(b"event: x\n\n").is_empty());
        assert_eq!(p.push(b"data: a\ndata: b\n\n")[0].data, "a\nb");
    }
}
