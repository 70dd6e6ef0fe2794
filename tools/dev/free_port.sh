# free_port: a loopback port for a test server, for scripts to source.
# A port nothing listens on, below the kernel's ephemeral range: a port in
# that range may be the local end of some client's connection, and then
# Postgres or Redis cannot bind it ("Address already in use").
free_port() {
  local port low=32768 _high
  read -r low _high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  [ "$low" -gt 21000 ] || low=32768
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % (low - 20000) ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return
    fi
  done
  echo "free_port: no free loopback port found" >&2
  exit 1
}
