// Loopback ports for tests: a free one to hand to a server, a check that
// something listens, and ports held open on which nothing answers.
#ifndef SMARTSHOP_TESTS_TESTING_LOOPBACK_PORT_H_
#define SMARTSHOP_TESTS_TESTING_LOOPBACK_PORT_H_

namespace smartshop::testing {

// A port the kernel has just handed out on 127.0.0.1 and released again.
// Another process may take it before the caller binds it: callers retry
// with a new port when their bind fails. 0 (with a test failure) when none.
int FreeLoopbackPort();

// Whether something accepts TCP connections on 127.0.0.1:`port`.
bool PortAcceptsConnections(int port);

// A loopback port held open for the object's lifetime. With `listen`, the
// kernel completes TCP handshakes but nothing ever answers (a hung server);
// without, connecting is refused (no server).
class DeadPort {
 public:
  explicit DeadPort(bool listen);
  ~DeadPort();
  DeadPort(const DeadPort&) = delete;
  DeadPort& operator=(const DeadPort&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_LOOPBACK_PORT_H_
