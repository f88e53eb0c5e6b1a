//! A `jauge` server (`serve`, `hub serve`) started for a test or a benchmark: the address it
//! printed once listening, and the process stopped when dropped, however the test ends.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Serving {
    child: Child,
    /// `127.0.0.1:PORT`.
    address: String,
}

impl Serving {
    /// Starts `command`, which prints `http://ADDRESS/…` once it listens.
    pub fn start(command: &mut Command) -> Serving {
        let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let address = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                line.split("http://")
                    .nth(1)
                    .map(|rest| rest.split('/').next().unwrap().to_owned())
            })
            .expect("the server prints its address");
        Serving { child, address }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
