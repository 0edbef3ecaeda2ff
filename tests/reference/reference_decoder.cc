// SPDX-License-Identifier: Apache-2.0
#include "tests/reference/reference_decoder.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <csetjmp>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace {

// libnetfilter_conntrack meets an attribute of the wrong size by printing
// "ctnetlink kernel ABI is broken" and calling exit() (parse_mnl.c,
// abi_breakage): a library user cannot survive one malformed message. To
// compare decoders on hostile bytes, exit() is caught while the library
// parses and counts as a refusal; elsewhere it is the real exit().
thread_local std::jmp_buf* parsing = nullptr;

}  // namespace

extern "C" void exit(int status) {
  if (parsing != nullptr) std::longjmp(*parsing, 1);
  using Exit = void (*)(int);
  static const Exit real = reinterpret_cast<Exit>(dlsym(RTLD_NEXT, "exit"));
  real(status);
  __builtin_unreachable();
}

namespace nfce {
namespace {

// nfct_nlmsg_parse, with the library's exit() on a malformed attribute
// turned into -1. No object with a destructor lives between setjmp and
// longjmp.
int ParseOrRefuse(const nlmsghdr* nlh, nf_conntrack* ct) {
  std::jmp_buf env;
  volatile int rc = -1;
  if (setjmp(env) == 0) {
    parsing = &env;
    rc = nfct_nlmsg_parse(nlh, ct);
  }
  parsing = nullptr;
  return rc;
}

// Calls `f` on each attribute in [begin, end) that lies within it.
template <typename F>
void ForEach(const void* begin, const void* end, F f) {
  const auto* attr = static_cast<const nlattr*>(begin);
  const auto* stop = static_cast<const char*>(end);
  while (mnl_attr_ok(
      attr, static_cast<int>(stop - reinterpret_cast<const char*>(attr)))) {
    f(attr);
    attr = mnl_attr_next(attr);
  }
}

// libnetfilter_conntrack 1.0.9 copies the helper's name and the security
// context with "%s" and strdup() after checking only that they fit in the
// message (MNL_TYPE_STRING, not NUL_STRING): an unterminated one is read
// past its end (found by fuzz_decoder_differential). The kernel always
// terminates them (nla_put_string), so such a message is refused here, as
// nothing a kernel sends.
bool NamesTerminated(const nlmsghdr* nlh) {
  bool terminated = true;
  ForEach(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)),
          // The message's own end: libmnl's tail is aligned past it.
          reinterpret_cast<const char*>(nlh) + nlh->nlmsg_len,
          [&](const nlattr* attr) {
            const uint16_t type = mnl_attr_get_type(attr);
            if (type != CTA_HELP && type != CTA_SECCTX) return;
            const auto* payload =
                static_cast<const char*>(mnl_attr_get_payload(attr));
            ForEach(payload, payload + mnl_attr_get_payload_len(attr),
                    [&](const nlattr* inner) {
                      // CTA_HELP_NAME and CTA_SECCTX_NAME are both 1.
                      if (mnl_attr_get_type(inner) != CTA_HELP_NAME) return;
                      const uint16_t len = mnl_attr_get_payload_len(inner);
                      const auto* name =
                          static_cast<const char*>(mnl_attr_get_payload(inner));
                      if (len == 0 || name[len - 1] != '\0') {
                        terminated = false;
                      }
                    });
          });
  return terminated;
}

std::string Hex(const std::array<uint8_t, 16>& bytes, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) absl::StrAppendFormat(&out, "%02x", bytes[i]);
  return out;
}

template <typename T>
std::string Show(const std::optional<T>& v) {
  return v ? absl::StrCat(*v) : "none";
}

}  // namespace

std::optional<ReferenceEntry> ReferenceDecode(const nlmsghdr* nlh) {
  // A new object each time: the parser only sets what a message carries, and
  // an object can own memory (security context, labels) a reuse would leak.
  std::unique_ptr<nf_conntrack, void (*)(nf_conntrack*)> ct(nfct_new(),
                                                            nfct_destroy);
  if (ct == nullptr || !NamesTerminated(nlh) ||
      ParseOrRefuse(nlh, ct.get()) < 0) {
    return std::nullopt;
  }
  nf_conntrack* const c = ct.get();
  ReferenceEntry entry;
  FlowKey& key = entry.key;
  key.family = nfct_get_attr_u8(c, ATTR_ORIG_L3PROTO);
  key.protocol = nfct_get_attr_u8(c, ATTR_ORIG_L4PROTO);
  if (nfct_attr_is_set(c, ATTR_TCP_STATE) > 0) {
    key.tcp_state = nfct_get_attr_u8(c, ATTR_TCP_STATE);
  }
  if (nfct_attr_is_set(c, ATTR_STATUS) > 0) {
    key.status = nfct_get_attr_u32(c, ATTR_STATUS);
  }
  if (nfct_attr_is_set(c, ATTR_ZONE) > 0) {
    key.zone = nfct_get_attr_u16(c, ATTR_ZONE);
  }
  if (nfct_attr_is_set(c, ATTR_ORIG_IPV4_SRC) > 0) {
    uint32_t a = nfct_get_attr_u32(c, ATTR_ORIG_IPV4_SRC);
    std::memcpy(key.source.data(), &a, 4);
  }
  if (nfct_attr_is_set(c, ATTR_ORIG_IPV4_DST) > 0) {
    uint32_t a = nfct_get_attr_u32(c, ATTR_ORIG_IPV4_DST);
    std::memcpy(key.destination.data(), &a, 4);
  }
  if (nfct_attr_is_set(c, ATTR_ORIG_IPV6_SRC) > 0) {
    std::memcpy(key.source.data(), nfct_get_attr(c, ATTR_ORIG_IPV6_SRC), 16);
  }
  if (nfct_attr_is_set(c, ATTR_ORIG_IPV6_DST) > 0) {
    std::memcpy(key.destination.data(), nfct_get_attr(c, ATTR_ORIG_IPV6_DST),
                16);
  }
  if (nfct_attr_is_set(c, ATTR_ORIG_PORT_SRC) > 0) {
    key.source_port = ntohs(nfct_get_attr_u16(c, ATTR_ORIG_PORT_SRC));
  }
  if (nfct_attr_is_set(c, ATTR_ORIG_PORT_DST) > 0) {
    key.destination_port = ntohs(nfct_get_attr_u16(c, ATTR_ORIG_PORT_DST));
  }
  if (nfct_attr_is_set(c, ATTR_REPL_IPV4_DST) > 0) {
    uint32_t a = nfct_get_attr_u32(c, ATTR_REPL_IPV4_DST);
    std::memcpy(key.reply_destination.data(), &a, 4);
  }
  if (nfct_attr_is_set(c, ATTR_REPL_IPV6_DST) > 0) {
    std::memcpy(key.reply_destination.data(),
                nfct_get_attr(c, ATTR_REPL_IPV6_DST), 16);
  }
  if (nfct_attr_is_set(c, ATTR_REPL_PORT_DST) > 0) {
    key.reply_destination_port =
        ntohs(nfct_get_attr_u16(c, ATTR_REPL_PORT_DST));
  }
  if (nfct_attr_is_set(c, ATTR_TIMEOUT) > 0) {
    key.timeout = nfct_get_attr_u32(c, ATTR_TIMEOUT);
  }
  if (nfct_attr_is_set(c, ATTR_MARK) > 0) {
    entry.mark = nfct_get_attr_u32(c, ATTR_MARK);
  }
  return entry;
}

std::string Differences(const FlowKey& ours, const FlowKey& reference) {
  std::string out;
  auto field = [&](absl::string_view name, const std::string& a,
                   const std::string& b) {
    if (a != b)
      absl::StrAppend(&out, name, ": ours ", a, ", reference ", b, "\n");
  };
  field("family", absl::StrCat(ours.family), absl::StrCat(reference.family));
  field("protocol", absl::StrCat(ours.protocol),
        absl::StrCat(reference.protocol));
  if (ours.protocol == IPPROTO_TCP) {
    field("tcp_state", Show(ours.tcp_state), Show(reference.tcp_state));
  }
  field("status", absl::StrFormat("%#x", ours.status),
        absl::StrFormat("%#x", reference.status));
  field("zone", absl::StrCat(ours.zone), absl::StrCat(reference.zone));
  const size_t n = ours.family == AF_INET ? 4 : 16;
  field("source", Hex(ours.source, n), Hex(reference.source, n));
  field("destination", Hex(ours.destination, n), Hex(reference.destination, n));
  field("source_port", Show(ours.source_port), Show(reference.source_port));
  field("destination_port", Show(ours.destination_port),
        Show(reference.destination_port));
  field("reply_destination", Hex(ours.reply_destination, n),
        Hex(reference.reply_destination, n));
  field("reply_destination_port", Show(ours.reply_destination_port),
        Show(reference.reply_destination_port));
  field("timeout", Show(ours.timeout), Show(reference.timeout));
  return out;
}

}  // namespace nfce
