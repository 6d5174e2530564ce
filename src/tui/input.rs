//! A one-line text input (the worklist note): the text and a cursor counted in characters, never
//! bytes, so editing in the middle of multi-byte text (é, 中, emoji) cannot split a character.
//! Pure state and edits; drawing and the terminal cursor are the view's business.

/// One edit of a text input, as the keymap names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Insert a character at the cursor.
    Insert(char),
    /// Move the cursor one character left.
    Left,
    /// Move the cursor one character right.
    Right,
    /// Move the cursor to the start.
    Home,
    /// Move the cursor to the end.
    End,
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the character under the cursor.
    Delete,
    /// Delete everything before the cursor.
    ClearToStart,
}

/// The text being typed and where the cursor is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// Characters before the cursor (0..=len).
    cursor: usize,
    /// Most characters accepted.
    max: usize,
}

impl TextInput {
    /// An empty input accepting at most `max` characters.
    pub fn new(max: usize) -> TextInput {
        TextInput {
            text: String::new(),
            cursor: 0,
            max,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Number of characters typed.
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The most characters accepted.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Byte offset of character `i` (the end for `i >= len`).
    fn byte(&self, i: usize) -> usize {
        self.text
            .char_indices()
            .nth(i)
            .map_or(self.text.len(), |(b, _)| b)
    }

    /// Applies one edit. Control characters and characters beyond `max` are refused.
    pub fn apply(&mut self, e: Edit) {
        let len = self.len();
        match e {
            Edit::Insert(c) => {
                if !c.is_control() && len < self.max {
                    let at = self.byte(self.cursor);
                    self.text.insert(at, c);
                    self.cursor += 1;
                }
            }
            Edit::Left => self.cursor = self.cursor.saturating_sub(1),
            Edit::Right => self.cursor = (self.cursor + 1).min(len),
            Edit::Home => self.cursor = 0,
            Edit::End => self.cursor = len,
            Edit::Backspace => {
                if self.cursor > 0 {
                    let (from, to) = (self.byte(self.cursor - 1), self.byte(self.cursor));
                    self.text.replace_range(from..to, "");
                    self.cursor -= 1;
                }
            }
            Edit::Delete => {
                if self.cursor < len {
                    let (from, to) = (self.byte(self.cursor), self.byte(self.cursor + 1));
                    self.text.replace_range(from..to, "");
                }
            }
            Edit::ClearToStart => {
                let to = self.byte(self.cursor);
                self.text.replace_range(..to, "");
                self.cursor = 0;
            }
        }
    }

    /// The text before the cursor.
    pub fn before_cursor(&self) -> &str {
        &self.text[..self.byte(self.cursor)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> TextInput {
        let mut t = TextInput::new(100);
        for c in s.chars() {
            t.apply(Edit::Insert(c));
        }
        t
    }

    #[test]
    fn inserts_at_the_cursor_and_moves_by_characters() {
        let mut t = typed("hllo");
        assert_eq!((t.text(), t.cursor()), ("hllo", 4));
        t.apply(Edit::Home);
        t.apply(Edit::Right);
        t.apply(Edit::Insert('e'));
        assert_eq!((t.text(), t.cursor()), ("hello", 2));
        t.apply(Edit::End);
        t.apply(Edit::Right);
        assert_eq!(t.cursor(), 5, "stays at the end");
        t.apply(Edit::Home);
        t.apply(Edit::Left);
        assert_eq!(t.cursor(), 0, "stays at the start");
    }

    #[test]
    fn multi_byte_characters_are_one_step_each() {
        let mut t = typed("né中😀");
        assert_eq!((t.len(), t.cursor()), (4, 4));
        t.apply(Edit::Left);
        t.apply(Edit::Left);
        assert_eq!(t.before_cursor(), "né");
        t.apply(Edit::Insert('ü'));
        assert_eq!(t.text(), "néü中😀");
        t.apply(Edit::Delete);
        assert_eq!(t.text(), "néü😀");
        t.apply(Edit::Backspace);
        t.apply(Edit::Backspace);
        assert_eq!((t.text(), t.cursor()), ("n😀", 1));
        t.apply(Edit::End);
        t.apply(Edit::Backspace);
        assert_eq!(t.text(), "n");
    }

    #[test]
    fn backspace_delete_and_clear_to_start_at_the_edges() {
        let mut t = typed("abc");
        t.apply(Edit::Delete);
        assert_eq!(t.text(), "abc", "nothing under the cursor at the end");
        t.apply(Edit::Home);
        t.apply(Edit::Backspace);
        assert_eq!(t.text(), "abc", "nothing before the cursor at the start");
        t.apply(Edit::Delete);
        assert_eq!((t.text(), t.cursor()), ("bc", 0));
        t.apply(Edit::Right);
        t.apply(Edit::ClearToStart);
        assert_eq!((t.text(), t.cursor()), ("c", 0));
    }

    #[test]
    fn refuses_control_characters_and_stops_at_the_limit() {
        let mut t = TextInput::new(3);
        for c in ['a', '\u{1b}', '\n', 'b', 'c', 'd'] {
            t.apply(Edit::Insert(c));
        }
        assert_eq!((t.text(), t.len(), t.cursor()), ("abc", 3, 3));
    }
}
