// SPDX-License-Identifier: Apache-2.0
// Dumps this network namespace's conntrack table once and decodes every
// message twice, with our attribute walk and with libnetfilter_conntrack,
// requiring the same family, protocol, TCP state, zone, status bits,
// addresses, ports and remaining timeout. Prints what the table held, so
// that the calling test can require the variety it built.
//
// usage: decoder_equality [SAVE_DIR]
//   SAVE_DIR: also write each message there as a file (fuzzing seeds)
// exit: 0 all equal, 1 a difference or a refusal, 2 the dump failed
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "absl/time/clock.h"
#include "collectors/kernel/netlink_socket.h"
#include "collectors/parse/flow_parser.h"
#include "tests/reference/reference_decoder.h"

namespace {

struct Tally {
  const char* save_dir = nullptr;
  int messages = 0;
  int failures = 0;
  std::map<std::string, int> seen;  // "what=value" -> messages
};

void Count(Tally* t, const std::string& what) { ++t->seen[what]; }

int OnMessage(const nlmsghdr* nlh, void* data) {
  auto* t = static_cast<Tally*>(data);
  ++t->messages;
  if (t->save_dir != nullptr) {
    std::string path =
        std::string(t->save_dir) + "/message-" + std::to_string(t->messages);
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
      std::fwrite(nlh, 1, nlh->nlmsg_len, f);
      std::fclose(f);
    }
  }
  absl::StatusOr<nfce::FlowKey> ours = nfce::ParseConntrackMessage(nlh);
  std::optional<nfce::ReferenceEntry> ref = nfce::ReferenceDecode(nlh);
  if (!ours.ok() || !ref) {
    std::printf("message %d: ours %s, libnetfilter_conntrack %s\n", t->messages,
                ours.ok() ? "ok" : ours.status().ToString().c_str(),
                ref ? "ok" : "refused");
    ++t->failures;
    return MNL_CB_OK;
  }
  std::string diff = nfce::Differences(*ours, ref->key);
  if (!diff.empty()) {
    std::printf("message %d differs:\n%s", t->messages, diff.c_str());
    ++t->failures;
  }
  const nfce::FlowKey& k = *ours;
  Count(t, std::string("family=") + std::string(nfce::FamilyLabel(k.family)));
  Count(t, std::string("protocol=") +
               std::string(nfce::ProtocolLabel(k.protocol)));
  Count(t, std::string("state=") + std::string(nfce::StateLabel(k)));
  Count(t, "zone=" + std::to_string(k.zone));
  Count(t,
        std::string("replied=") + ((k.status & IPS_SEEN_REPLY) ? "yes" : "no"));
  if (ref->mark != 0) Count(t, "mark=" + std::to_string(ref->mark));
  if (k.source_port) Count(t, "ports=yes");
  if (k.timeout) Count(t, "timeout=yes");
  if (k.has_reply) Count(t, "reply=yes");
  if (k.status & IPS_SRC_NAT) Count(t, "snat=yes");
  if (k.has_reply && k.reply_destination != k.source) {
    Count(t, "reply_destination=translated");
  }
  return MNL_CB_OK;
}

}  // namespace

int main(int argc, char** argv) {
  Tally tally;
  if (argc > 1) tally.save_dir = argv[1];
  absl::Status status = nfce::CtnetlinkDump(
      IPCTNL_MSG_CT_GET, OnMessage, &tally, absl::Now() + absl::Seconds(60));
  if (!status.ok()) {
    std::fprintf(stderr, "dump failed: %s\n", status.ToString().c_str());
    return 2;
  }
  for (const auto& [what, n] : tally.seen)
    std::printf("%s %d\n", what.c_str(), n);
  std::printf("messages %d\ndifferences %d\n", tally.messages, tally.failures);
  return tally.failures == 0 ? 0 : 1;
}
