{
  "targets": [
    {
      "target_name": "lvsd_packet",
      "sources": ["src/net/native/packet.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
