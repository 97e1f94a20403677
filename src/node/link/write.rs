//! Socket writes of a link: one frame written whole within a timeout,
//! first without blocking (the socket nearly always has room, and then no
//! write timeout needs setting), and never a SIGPIPE for PHP.

use std::io::{self, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use super::deadline::deadline;

/// How a write failed; `broken` when part of a frame went out, and the
/// framing of everything after it with it.
pub(super) struct WriteError {
    pub(super) error: io::Error,
    pub(super) broken: bool,
}

/// Writes `bytes` whole within `timeout`; the caller holds the writer lock.
pub(super) fn send(socket: &TcpStream, bytes: &[u8], timeout: Duration) -> Result<(), WriteError> {
    let mut done = match send_now(socket, bytes) {
        Ok(n) => n,
        Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => 0,
        Err(error) => return Err(WriteError { error, broken: false }),
    };
    let deadline = deadline(timeout);
    while done < bytes.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let error = io::Error::from(io::ErrorKind::TimedOut);
            return Err(WriteError { error, broken: done > 0 });
        }
        let set = socket.set_write_timeout(Some(left));
        set.map_err(|error| WriteError { error, broken: done > 0 })?;
        match (&*socket).write(&bytes[done..]) {
            Ok(0) => {
                let error = io::Error::from(io::ErrorKind::WriteZero);
                return Err(WriteError { error, broken: true });
            }
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(WriteError { error, broken: done > 0 }),
        }
    }
    Ok(())
}

/// What of `bytes` the socket takes at once.
fn send_now(socket: &TcpStream, bytes: &[u8]) -> io::Result<usize> {
    let fd = socket.as_raw_fd();
    let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
    // SAFETY: `bytes` is readable memory of `bytes.len()` bytes for the
    // whole call; `fd` is the open socket of `socket`, borrowed meanwhile.
    // MSG_NOSIGNAL: a closed peer is an error, not a SIGPIPE for PHP.
    let n = unsafe { libc::send(fd, bytes.as_ptr().cast(), bytes.len(), flags) };
    if n < 0 { Err(io::Error::last_os_error()) } else { Ok(n.unsigned_abs()) }
}
