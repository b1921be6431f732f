{
  "targets": [
    {
      "target_name": "lvsd_packet",
      "sources": ["src/net/native/packet.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "lvsd_syslog",
      "sources": ["src/daemon/native/syslog.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "lvsd_probe",
      "sources": ["src/check/native/probe.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "lvsd_text",
      "sources": ["grammar/native/file-text.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "lvsd_regex",
      "sources": ["src/check/native/regex.cc"],
      "cflags_cc": ["-Wall", "-Wextra", "-Wno-cast-function-type", "-O2"]
    }
  ]
}
