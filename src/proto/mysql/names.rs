//! MySQL wire codes as typed values, with the words Wireshark's MySQL dissector uses for them, and the facts a
//! message carries for later stages ([`Packet`]).

/// Capability flags (`mysql_com.h`) the decoder reads.
pub(super) mod caps {
    pub const CONNECT_WITH_DB: u32 = 0x0000_0008;
    pub const COMPRESS: u32 = 0x0000_0020;
    pub const PROTOCOL_41: u32 = 0x0000_0200;
    pub const SSL: u32 = 0x0000_0800;
    pub const SECURE_CONNECTION: u32 = 0x0000_8000;
    pub const PLUGIN_AUTH: u32 = 0x0008_0000;
    pub const CONNECT_ATTRS: u32 = 0x0010_0000;
    pub const PLUGIN_AUTH_LENENC_DATA: u32 = 0x0020_0000;
    pub const DEPRECATE_EOF: u32 = 0x0100_0000;
    pub const QUERY_ATTRIBUTES: u32 = 0x0800_0000;

    /// The flags worth naming in a detail line, in bit order.
    pub const NAMED: [(u32, &str); 7] = [
        (CONNECT_WITH_DB, "CONNECT_WITH_DB"),
        (COMPRESS, "COMPRESS"),
        (PROTOCOL_41, "PROTOCOL_41"),
        (SSL, "SSL"),
        (PLUGIN_AUTH, "PLUGIN_AUTH"),
        (CONNECT_ATTRS, "CONNECT_ATTRS"),
        (DEPRECATE_EOF, "DEPRECATE_EOF"),
    ];
}

/// `SERVER_MORE_RESULTS_EXISTS` in an OK's or EOF's status flags: another result follows for the same command.
pub(super) const MORE_RESULTS: u16 = 0x0008;
/// `SERVER_STATUS_CURSOR_EXISTS` in the EOF after a result set's definitions: the statement was executed with a
/// cursor, and its rows come only with COM_STMT_FETCH.
pub(super) const CURSOR_EXISTS: u16 = 0x0040;

/// A command byte (`enum_server_command`, plus MariaDB's bulk execute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    Sleep,
    Quit,
    InitDb,
    Query,
    FieldList,
    CreateDb,
    DropDb,
    Refresh,
    Shutdown,
    Statistics,
    ProcessInfo,
    Connect,
    ProcessKill,
    Debug,
    Ping,
    Time,
    DelayedInsert,
    ChangeUser,
    BinlogDump,
    TableDump,
    ConnectOut,
    RegisterSlave,
    StmtPrepare,
    StmtExecute,
    StmtSendLongData,
    StmtClose,
    StmtReset,
    SetOption,
    StmtFetch,
    Daemon,
    BinlogDumpGtid,
    ResetConnection,
    Clone,
    SubscribeGroupReplicationStream,
    StmtBulkExecute,
    Unknown(u8),
}

/// Each command's code and Wireshark's name for it (`mysql_command_vals`).
const COMMANDS: [(Command, u8, &str); 35] = [
    (Command::Sleep, 0, "SLEEP"),
    (Command::Quit, 1, "Quit"),
    (Command::InitDb, 2, "Use Database"),
    (Command::Query, 3, "Query"),
    (Command::FieldList, 4, "Show Fields"),
    (Command::CreateDb, 5, "Create Database"),
    (Command::DropDb, 6, "Drop Database"),
    (Command::Refresh, 7, "Refresh"),
    (Command::Shutdown, 8, "Shutdown"),
    (Command::Statistics, 9, "Statistics"),
    (Command::ProcessInfo, 10, "Process List"),
    (Command::Connect, 11, "Connect"),
    (Command::ProcessKill, 12, "Kill Server Thread"),
    (Command::Debug, 13, "Dump Debuginfo"),
    (Command::Ping, 14, "Ping"),
    (Command::Time, 15, "Time"),
    (Command::DelayedInsert, 16, "Insert Delayed"),
    (Command::ChangeUser, 17, "Change User"),
    (Command::BinlogDump, 18, "Send Binlog"),
    (Command::TableDump, 19, "Send Table"),
    (Command::ConnectOut, 20, "Slave Connect"),
    (Command::RegisterSlave, 21, "Register Slave"),
    (Command::StmtPrepare, 22, "Prepare Statement"),
    (Command::StmtExecute, 23, "Execute Statement"),
    (Command::StmtSendLongData, 24, "Send BLOB"),
    (Command::StmtClose, 25, "Close Statement"),
    (Command::StmtReset, 26, "Reset Statement"),
    (Command::SetOption, 27, "Set Option"),
    (Command::StmtFetch, 28, "Fetch Data"),
    (Command::Daemon, 29, "Daemon"),
    (Command::BinlogDumpGtid, 30, "Send Binlog GTID"),
    (Command::ResetConnection, 31, "Reset Connection"),
    (Command::Clone, 32, "Native cloning"),
    (Command::SubscribeGroupReplicationStream, 33, "Subscribe Group Replication Stream"),
    (Command::StmtBulkExecute, 250, "Execute Bulk Statement"),
];

impl Command {
    pub fn from_code(code: u8) -> Command {
        COMMANDS.iter().find(|(_, c, _)| *c == code).map_or(Command::Unknown(code), |(command, ..)| *command)
    }

    pub fn code(self) -> u8 {
        match self {
            Command::Unknown(code) => code,
            known => COMMANDS.iter().find(|(c, ..)| *c == known).map_or(0, |(_, code, _)| *code),
        }
    }

    /// Wireshark's name: `Query`, `Prepare Statement`, `Unknown (96)`.
    pub fn name(self) -> String {
        match COMMANDS.iter().find(|(c, ..)| *c == self) {
            Some((.., name)) => (*name).to_string(),
            None => format!("Unknown ({})", self.code()),
        }
    }

    /// Whether the server answers it (COM_QUIT may get nothing but the close; the statement ones never).
    pub fn expects_response(self) -> bool {
        !matches!(self, Command::Quit | Command::StmtClose | Command::StmtSendLongData)
    }
}

/// The first byte of a server packet that is not data (`MYSQL_RESPONSE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ResponseCode {
    /// `0x00`, "OK Packet" (also a prepare OK, and the header of a binary row).
    Ok,
    /// `0xfe`, "EOF Packet" (or an Auth Switch Request during authentication).
    Eof,
    /// `0xff`, "ERR Packet".
    Err,
    /// `0xfb`, LOCAL INFILE request.
    LocalInfile,
}

impl ResponseCode {
    pub(super) fn of(first: u8) -> Option<ResponseCode> {
        Some(match first {
            0x00 => ResponseCode::Ok,
            0xfe => ResponseCode::Eof,
            0xff => ResponseCode::Err,
            0xfb => ResponseCode::LocalInfile,
            _ => return None,
        })
    }
}

/// How a result set ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultEnd {
    /// An EOF packet (or, with CLIENT_DEPRECATE_EOF, an OK packet with the EOF header).
    Eof,
    /// An ERR packet in place of the next row (the query was killed, a row could not be computed).
    Error(u16),
}

/// What a MySQL message is: the facts phases and tests reason about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packet {
    /// The server's HandshakeV10 (`Server Greeting`).
    Greeting {
        protocol: u8,
    },
    /// The client's HandshakeResponse (`Login Request`).
    LoginRequest,
    /// The short HandshakeResponse with CLIENT_SSL that asks for TLS (`Response: SSL Handshake`).
    SslRequest,
    AuthSwitchRequest,
    AuthSwitchResponse,
    /// An authentication plugin's exchange (caching_sha2_password's fast-auth byte, a public key).
    AuthMoreData,
    /// The client's other authentication packets.
    AuthData,
    Command(Command),
    /// A client packet inside a command (LOCAL INFILE contents).
    RequestData,
    Ok {
        affected_rows: u64,
        more_results: bool,
    },
    Error {
        code: u16,
    },
    /// A lone EOF packet (the answer to COM_SET_OPTION, COM_DEBUG).
    Eof {
        more_results: bool,
    },
    /// A result set (`Response TABULAR`): column count, definitions, rows, terminator. `end` is `None` on the
    /// message of a segment that ends before the terminator (more follows); `rows` counts the rows so far.
    ResultSet {
        columns: u64,
        rows: u64,
        end: Option<ResultEnd>,
        more_results: bool,
        binary: bool,
    },
    /// COM_STMT_PREPARE's OK with its parameter and column definitions.
    PrepareOk {
        statement: u32,
        params: u16,
        columns: u16,
    },
    LocalInfile,
    /// A packet of the compressed protocol whose zlib payload is not inflated.
    Compressed {
        compressed: u32,
        uncompressed: u32,
    },
    /// Any other server answer (COM_STATISTICS's text, an unexpected packet).
    Response,
}

impl Packet {
    /// Whether this server message completes the answer to a command (the next message answers the next one).
    pub fn ends_response(&self) -> bool {
        match *self {
            Packet::Ok { more_results, .. } | Packet::Eof { more_results } => !more_results,
            Packet::ResultSet { end: Some(ResultEnd::Error(_)), .. } => true,
            Packet::ResultSet { end, more_results, .. } => end.is_some() && !more_results,
            Packet::Error { .. } | Packet::PrepareOk { .. } | Packet::Response | Packet::Compressed { .. } => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_have_wiresharks_names_and_round_trip() {
        assert_eq!(Command::from_code(3), Command::Query);
        assert_eq!(Command::from_code(22).name(), "Prepare Statement");
        assert_eq!(Command::from_code(2).name(), "Use Database");
        assert_eq!(Command::from_code(96), Command::Unknown(96));
        assert_eq!(Command::Unknown(96).name(), "Unknown (96)");
        for code in 0..=255u8 {
            assert_eq!(Command::from_code(code).code(), code);
        }
        assert!(!Command::StmtClose.expects_response() && Command::Ping.expects_response());
    }

    #[test]
    fn a_result_set_ends_the_answer_only_at_its_last_terminator() {
        let rows = |end, more_results| Packet::ResultSet { columns: 1, rows: 2, end, more_results, binary: false };
        assert!(!rows(None, false).ends_response());
        assert!(rows(Some(ResultEnd::Eof), false).ends_response());
        assert!(!rows(Some(ResultEnd::Eof), true).ends_response(), "a CALL's next result follows");
        assert!(rows(Some(ResultEnd::Error(1317)), true).ends_response());
        assert!(!Packet::LocalInfile.ends_response());
    }
}
