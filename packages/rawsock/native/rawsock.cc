// The rawsock addon: thin wrappers over Linux socket syscalls, plus one libuv
// poll handle per AF_PACKET socket that reads every ready frame and hands the
// batch to JavaScript.
//
// Deliberately not here: parsing of any kind (frames, addresses, sockaddr
// layouts are built and read in TypeScript), threads, timers, retries. Every
// function is synchronous except the poller, which runs on the Node event
// loop: no busy loop and no thread per socket.
//
// Errors are thrown as JS Errors carrying `errno` (positive) and `syscall`;
// src/native.ts turns them into RawsockError with a stable code.
#include <napi.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

// glibc's headers lag the kernel's for a few of these.
#ifndef IP_MINTTL
#define IP_MINTTL 21
#endif
#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

namespace {

Napi::Value ThrowErrno(Napi::Env env, const char* syscall, int err) {
  Napi::Error e = Napi::Error::New(env, std::string(syscall) + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, syscall));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowType(Napi::Env env, const char* what) {
  Napi::TypeError::New(env, what).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool IsInt(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].IsNumber();
}

// socket(domain, type, protocol) -> fd; always non-blocking and close-on-exec.
Napi::Value Socket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || !IsInt(info, 1) || !IsInt(info, 2)) return ThrowType(env, "socket(domain, type, protocol)");
  int fd = ::socket(info[0].As<Napi::Number>().Int32Value(),
                    info[1].As<Napi::Number>().Int32Value() | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    info[2].As<Napi::Number>().Int32Value());
  if (fd < 0) return ThrowErrno(env, "socket", errno);
  return Napi::Number::New(env, fd);
}

// bind(fd, sockaddr bytes)
Napi::Value Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || info.Length() < 2 || !info[1].IsBuffer()) return ThrowType(env, "bind(fd, sockaddr)");
  auto addr = info[1].As<Napi::Buffer<uint8_t>>();
  if (::bind(info[0].As<Napi::Number>().Int32Value(), reinterpret_cast<const sockaddr*>(addr.Data()),
             static_cast<socklen_t>(addr.Length())) < 0) {
    return ThrowErrno(env, "bind", errno);
  }
  return env.Undefined();
}

// listen(fd, backlog)
Napi::Value Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || !IsInt(info, 1)) return ThrowType(env, "listen(fd, backlog)");
  if (::listen(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value()) < 0) {
    return ThrowErrno(env, "listen", errno);
  }
  return env.Undefined();
}

// setsockopt(fd, level, name, value bytes)
Napi::Value SetSockOpt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || !IsInt(info, 1) || !IsInt(info, 2) || info.Length() < 4 || !info[3].IsBuffer()) {
    return ThrowType(env, "setsockopt(fd, level, name, value)");
  }
  auto value = info[3].As<Napi::Buffer<uint8_t>>();
  if (::setsockopt(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(),
                   info[2].As<Napi::Number>().Int32Value(), value.Data(),
                   static_cast<socklen_t>(value.Length())) < 0) {
    return ThrowErrno(env, "setsockopt", errno);
  }
  return env.Undefined();
}

// getsockopt(fd, level, name, maxLength) -> Buffer of the length the kernel wrote
Napi::Value GetSockOpt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || !IsInt(info, 1) || !IsInt(info, 2) || !IsInt(info, 3)) {
    return ThrowType(env, "getsockopt(fd, level, name, maxLength)");
  }
  int max = info[3].As<Napi::Number>().Int32Value();
  if (max <= 0 || max > 4096) return ThrowType(env, "getsockopt: maxLength must be 1..4096");
  std::vector<uint8_t> out(static_cast<size_t>(max));
  socklen_t len = static_cast<socklen_t>(max);
  if (::getsockopt(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(),
                   info[2].As<Napi::Number>().Int32Value(), out.data(), &len) < 0) {
    return ThrowErrno(env, "getsockopt", errno);
  }
  return Napi::Buffer<uint8_t>::Copy(env, out.data(), len);
}

// attachFilter(fd, program bytes): SO_ATTACH_FILTER with an array of struct
// sock_filter (8 bytes each, host byte order) built in TypeScript. This needs
// C++ only because struct sock_fprog carries a pointer.
Napi::Value AttachFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || info.Length() < 2 || !info[1].IsBuffer()) return ThrowType(env, "attachFilter(fd, program)");
  auto prog = info[1].As<Napi::Buffer<uint8_t>>();
  if (prog.Length() == 0 || prog.Length() % sizeof(sock_filter) != 0 || prog.Length() / sizeof(sock_filter) > BPF_MAXINSNS) {
    return ThrowType(env, "attachFilter: program must be 1..4096 instructions of 8 bytes");
  }
  std::vector<sock_filter> insns(prog.Length() / sizeof(sock_filter));
  memcpy(insns.data(), prog.Data(), prog.Length());
  sock_fprog fprog;
  fprog.len = static_cast<unsigned short>(insns.size());
  fprog.filter = insns.data();
  if (::setsockopt(info[0].As<Napi::Number>().Int32Value(), SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) < 0) {
    return ThrowErrno(env, "setsockopt(SO_ATTACH_FILTER)", errno);
  }
  return env.Undefined();
}

// send(fd, frame) -> bytes sent. A bound AF_PACKET SOCK_RAW socket takes the
// whole Ethernet frame, so no destination sockaddr is needed.
Napi::Value Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || info.Length() < 2 || !info[1].IsTypedArray()) return ThrowType(env, "send(fd, frame)");
  auto frame = info[1].As<Napi::Uint8Array>();
  ssize_t n;
  do {
    n = ::send(info[0].As<Napi::Number>().Int32Value(), frame.Data(), frame.ByteLength(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ThrowErrno(env, "send", errno);
  return Napi::Number::New(env, static_cast<double>(n));
}

// close(fd)
Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0)) return ThrowType(env, "close(fd)");
  // Linux releases the fd even when close() reports EINTR, so never retry.
  if (::close(info[0].As<Napi::Number>().Int32Value()) < 0 && errno != EINTR) return ThrowErrno(env, "close", errno);
  return env.Undefined();
}

// bpf(cmd, attr bytes, pointers) -> the syscall's result (an fd or 0). The
// union bpf_attr is built in TypeScript; the only thing it cannot write is a
// pointer, so `pointers` is [offset, buffer, offset, buffer, ...]: the address
// of each buffer goes into attr at that offset (a __u64, as the ABI has it).
// The kernel may write into those buffers (a verifier log, a looked-up value).
Napi::Value Bpf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsInt(info, 0) || info.Length() < 3 || !info[1].IsTypedArray() || !info[2].IsArray()) {
    return ThrowType(env, "bpf(cmd, attr, pointers)");
  }
  auto attrIn = info[1].As<Napi::Uint8Array>();
  if (attrIn.ByteLength() == 0 || attrIn.ByteLength() > 256) return ThrowType(env, "bpf: attr must be 1..256 bytes");
  std::vector<uint8_t> attr(attrIn.Data(), attrIn.Data() + attrIn.ByteLength());
  auto pointers = info[2].As<Napi::Array>();
  if (pointers.Length() % 2 != 0) return ThrowType(env, "bpf: pointers must be offset, buffer pairs");
  for (uint32_t i = 0; i < pointers.Length(); i += 2) {
    Napi::Value off = pointers.Get(i);
    Napi::Value buf = pointers.Get(i + 1);
    if (!off.IsNumber() || !buf.IsTypedArray()) return ThrowType(env, "bpf: pointers must be offset, buffer pairs");
    int64_t at = off.As<Napi::Number>().Int64Value();
    if (at < 0 || at % 8 != 0 || static_cast<size_t>(at) + 8 > attr.size()) return ThrowType(env, "bpf: pointer offset outside attr");
    uint64_t address = reinterpret_cast<uintptr_t>(buf.As<Napi::Uint8Array>().Data());
    memcpy(attr.data() + at, &address, sizeof(address));
  }
  long rc;
  do {
    rc = ::syscall(__NR_bpf, info[0].As<Napi::Number>().Int32Value(), attr.data(), static_cast<unsigned int>(attr.size()));
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return ThrowErrno(env, "bpf", errno);
  return Napi::Number::New(env, static_cast<double>(rc));
}

// Poller: owns one AF_PACKET fd and a uv_poll_t watching it for readability.
// On each wakeup it reads until EAGAIN (at most kBatch frames, so one busy
// socket cannot starve the loop) and calls back once with the batch:
//   callback(null, frames: Buffer[], meta: Int32Array [pkttype, ifindex]*n)
//   callback(error{errno, syscall, fatal}, null, null)
// A fatal error stops polling; ENETDOWN (interface went down) is reported and
// polling continues, since the binding survives the interface coming back.
class Poller : public Napi::ObjectWrap<Poller> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Poller",
                       {InstanceMethod("close", &Poller::JsClose), InstanceMethod("ref", &Poller::JsRef),
                        InstanceMethod("unref", &Poller::JsUnref)});
  }

  explicit Poller(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Poller>(info) {
    Napi::Env env = info.Env();
    if (!IsInt(info, 0) || info.Length() < 2 || !info[1].IsFunction()) {
      ThrowType(env, "new Poller(fd, callback)");
      return;
    }
    fd_ = info[0].As<Napi::Number>().Int32Value();
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "rawsock.Poller");
    buffer_.resize(kFrameMax);
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      Napi::Error::New(env, "no event loop").ThrowAsJavaScriptException();
      return;
    }
    handle_ = new uv_poll_t;
    int rc = uv_poll_init(loop, handle_, fd_);
    if (rc < 0) {
      delete handle_;
      handle_ = nullptr;
      ThrowErrno(env, "uv_poll_init", -rc);
      return;
    }
    handle_->data = this;
    rc = uv_poll_start(handle_, UV_READABLE, OnPoll);
    if (rc < 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(handle_), OnHandleClosed);
      handle_ = nullptr;
      ThrowErrno(env, "uv_poll_start", -rc);
      return;
    }
    // Keep this object alive while the poll handle can call back into it.
    Ref();
    napi_add_env_cleanup_hook(env, CleanupHook, this);
    open_ = true;
  }

  ~Poller() override { Shutdown(); }

 private:
  static constexpr size_t kFrameMax = 65536;
  static constexpr int kBatch = 64;

  static void CleanupHook(void* arg) { static_cast<Poller*>(arg)->Shutdown(/*fromHook=*/true); }

  static void OnHandleClosed(uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); }

  // Stops polling and closes the fd exactly once. uv_close removes the fd
  // from epoll synchronously, so closing the fd right after it is safe.
  void Shutdown(bool fromHook = false) {
    if (!open_) return;
    open_ = false;
    if (!fromHook) napi_remove_env_cleanup_hook(Env(), CleanupHook, this);
    if (handle_ != nullptr) {
      handle_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(handle_), OnHandleClosed);
      handle_ = nullptr;
    }
    ::close(fd_);
    fd_ = -1;
  }

  Napi::Value JsClose(const Napi::CallbackInfo& info) {
    if (open_) {
      Shutdown();
      Unref();
    }
    return info.Env().Undefined();
  }

  Napi::Value JsRef(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(handle_));
    return info.Env().Undefined();
  }

  Napi::Value JsUnref(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
    return info.Env().Undefined();
  }

  static void OnPoll(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<Poller*>(handle->data);
    if (self != nullptr) self->Drain(status);
  }

  void Drain(int status) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (status < 0) {
      // libuv stops the handle and reports UV_EBADF when epoll says POLLERR,
      // which for a packet socket means sk_err was set (ENETDOWN, ENODEV).
      // SO_ERROR reads and clears it.
      int err = 0;
      socklen_t len = sizeof(err);
      if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
      if (err == 0 && !sawSpuriousError_) {
        sawSpuriousError_ = true;
        Restart();
        return;
      }
      if (err == 0) err = -status;
      ReportError(err, "poll");
      return;
    }
    std::vector<Napi::Value> frames;
    std::vector<int32_t> meta;
    int err = 0;
    for (int i = 0; i < kBatch; i++) {
      sockaddr_ll from;
      socklen_t fromLen = sizeof(from);
      ssize_t n = ::recvfrom(fd_, buffer_.data(), buffer_.size(), 0, reinterpret_cast<sockaddr*>(&from), &fromLen);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
        break;
      }
      frames.push_back(Napi::Buffer<uint8_t>::Copy(env, buffer_.data(), static_cast<size_t>(n)));
      meta.push_back(from.sll_pkttype);
      meta.push_back(from.sll_ifindex);
    }
    if (!frames.empty()) {
      sawSpuriousError_ = false;
      Napi::Array list = Napi::Array::New(env, frames.size());
      for (size_t i = 0; i < frames.size(); i++) list.Set(static_cast<uint32_t>(i), frames[i]);
      Napi::Int32Array info = Napi::Int32Array::New(env, meta.size());
      memcpy(info.Data(), meta.data(), meta.size() * sizeof(int32_t));
      Call({env.Null(), list, info});
      if (!open_) return;  // the callback closed us
    }
    if (err != 0) ReportError(err, "recvfrom");
  }

  void Restart() {
    if (handle_ == nullptr) return;
    int rc = uv_poll_start(handle_, UV_READABLE, OnPoll);
    if (rc < 0) ReportError(-rc, "uv_poll_start");
  }

  void ReportError(int err, const char* syscall) {
    Napi::Env env = Env();
    bool fatal = err != ENETDOWN;
    if (fatal) {
      if (handle_ != nullptr) uv_poll_stop(handle_);
    } else {
      Restart();
    }
    Napi::Error e = Napi::Error::New(env, std::string(syscall) + ": " + strerror(err));
    e.Set("errno", Napi::Number::New(env, err));
    e.Set("syscall", Napi::String::New(env, syscall));
    e.Set("fatal", Napi::Boolean::New(env, fatal));
    Call({e.Value(), env.Null(), env.Null()});
  }

  // MakeCallback (not Call) so that promise continuations queued by the
  // callback run before control returns to libuv. An exception escaping the
  // callback is an uncaught exception, as for any other Node callback.
  void Call(const std::initializer_list<napi_value>& args) {
    Napi::Env env = Env();
    callback_.MakeCallback(Value(), args, *context_);
    if (env.IsExceptionPending()) {
      Napi::Error e = env.GetAndClearPendingException();
      napi_fatal_exception(env, e.Value());
    }
  }

  int fd_ = -1;
  bool open_ = false;
  bool sawSpuriousError_ = false;
  uv_poll_t* handle_ = nullptr;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
  std::vector<uint8_t> buffer_;
};

void SetConst(Napi::Object& o, const char* name, int64_t value) {
  o.Set(name, Napi::Number::New(o.Env(), static_cast<double>(value)));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("supported", Napi::Boolean::New(env, true));
  exports.Set("socket", Napi::Function::New(env, Socket, "socket"));
  exports.Set("bind", Napi::Function::New(env, Bind, "bind"));
  exports.Set("listen", Napi::Function::New(env, Listen, "listen"));
  exports.Set("setsockopt", Napi::Function::New(env, SetSockOpt, "setsockopt"));
  exports.Set("getsockopt", Napi::Function::New(env, GetSockOpt, "getsockopt"));
  exports.Set("attachFilter", Napi::Function::New(env, AttachFilter, "attachFilter"));
  exports.Set("send", Napi::Function::New(env, Send, "send"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("bpf", Napi::Function::New(env, Bpf, "bpf"));
  exports.Set("Poller", Poller::Define(env));

  // Constants come from the system headers so the TypeScript side never
  // hard-codes an ABI number; sizes let it assert the layouts it builds.
  Napi::Object c = Napi::Object::New(env);
  SetConst(c, "AF_INET", AF_INET);
  SetConst(c, "AF_INET6", AF_INET6);
  SetConst(c, "AF_PACKET", AF_PACKET);
  SetConst(c, "SOCK_STREAM", SOCK_STREAM);
  SetConst(c, "SOCK_RAW", SOCK_RAW);
  SetConst(c, "SOCK_DGRAM", SOCK_DGRAM);
  SetConst(c, "SOL_SOCKET", SOL_SOCKET);
  SetConst(c, "SO_REUSEADDR", SO_REUSEADDR);
  SetConst(c, "SO_BINDTODEVICE", SO_BINDTODEVICE);
  SetConst(c, "SO_ERROR", SO_ERROR);
  SetConst(c, "SO_DOMAIN", SO_DOMAIN);
  SetConst(c, "IPPROTO_IP", IPPROTO_IP);
  SetConst(c, "IPPROTO_IPV6", IPPROTO_IPV6);
  SetConst(c, "IPPROTO_TCP", IPPROTO_TCP);
  SetConst(c, "IP_TTL", IP_TTL);
  SetConst(c, "IP_MINTTL", IP_MINTTL);
  SetConst(c, "IP_FREEBIND", IP_FREEBIND);
  SetConst(c, "IPV6_UNICAST_HOPS", IPV6_UNICAST_HOPS);
  SetConst(c, "IPV6_MINHOPCOUNT", IPV6_MINHOPCOUNT);
  SetConst(c, "IPV6_FREEBIND", IPV6_FREEBIND);
  SetConst(c, "IPV6_V6ONLY", IPV6_V6ONLY);
  SetConst(c, "IPV6_ADD_MEMBERSHIP", IPV6_ADD_MEMBERSHIP);
  SetConst(c, "IPV6_DROP_MEMBERSHIP", IPV6_DROP_MEMBERSHIP);
  SetConst(c, "TCP_MD5SIG", TCP_MD5SIG);
  SetConst(c, "TCP_MD5SIG_MAXKEYLEN", TCP_MD5SIG_MAXKEYLEN);
  SetConst(c, "SOL_PACKET", SOL_PACKET);
  SetConst(c, "PACKET_ADD_MEMBERSHIP", PACKET_ADD_MEMBERSHIP);
  SetConst(c, "PACKET_DROP_MEMBERSHIP", PACKET_DROP_MEMBERSHIP);
  SetConst(c, "PACKET_MR_MULTICAST", PACKET_MR_MULTICAST);
  SetConst(c, "PACKET_IGNORE_OUTGOING", PACKET_IGNORE_OUTGOING);
  SetConst(c, "sizeof_tcp_md5sig", sizeof(struct tcp_md5sig));
  SetConst(c, "sizeof_sockaddr_ll", sizeof(struct sockaddr_ll));
  SetConst(c, "sizeof_packet_mreq", sizeof(struct packet_mreq));
  SetConst(c, "sizeof_sockaddr_in", sizeof(struct sockaddr_in));
  SetConst(c, "sizeof_sockaddr_in6", sizeof(struct sockaddr_in6));
  SetConst(c, "sizeof_ipv6_mreq", sizeof(struct ipv6_mreq));
  exports.Set("constants", c);
  return exports;
}

}  // namespace

NODE_API_MODULE(rawsock, Init)
