#include "tests/testing/loopback_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

#include "gtest/gtest.h"

namespace smartshop::testing {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

// A socket bound to a free loopback port (stored in `port`); -1 on failure.
int BindLoopback(int& port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return -1;
  }
  port = ntohs(address.sin_port);
  return fd;
}

}  // namespace

int FreeLoopbackPort() {
  int port = 0;
  const int fd = BindLoopback(port);
  if (fd < 0) {
    ADD_FAILURE() << "no free loopback port";
    return 0;
  }
  close(fd);
  return port;
}

bool PortAcceptsConnections(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const sockaddr_in address = Loopback(port);
  const bool accepted = connect(fd, reinterpret_cast<const sockaddr*>(&address),
                                sizeof(address)) == 0;
  close(fd);
  return accepted;
}

DeadPort::DeadPort(bool listen) {
  fd_ = BindLoopback(port_);
  if (fd_ < 0) {
    ADD_FAILURE() << "no free loopback port";
    return;
  }
  if (listen && ::listen(fd_, 64) != 0) ADD_FAILURE() << "listen failed";
}

DeadPort::~DeadPort() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace smartshop::testing
