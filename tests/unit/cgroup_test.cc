// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/cgroup.h"

#include "gtest/gtest.h"

namespace nfce {
namespace {

constexpr char kUid[] = "5e1e4d2a-8c0b-4f7e-9a3d-2b6c1d0e9f81";
constexpr char kUidSlice[] = "5e1e4d2a_8c0b_4f7e_9a3d_2b6c1d0e9f81";
constexpr char kId[] =
    "4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970";

void Expect(const std::string& text, const std::string& pod,
            const std::string& container) {
  CgroupIdentity id = ParseCgroupIdentity(text);
  EXPECT_EQ(id.pod_uid, pod) << text;
  EXPECT_EQ(id.container_id, container) << text;
}

std::string V2(const std::string& path) { return "0::" + path + "\n"; }

TEST(ParseCgroupIdentity, KubeletSystemdDriverEveryQosAndRuntime) {
  for (const std::string qos : {"", "burstable-", "besteffort-"}) {
    const std::string parent = qos.empty() ? "/kubepods.slice"
                                           : "/kubepods.slice/kubepods-" +
                                                 qos.substr(0, qos.size() - 1) +
                                                 ".slice";
    const std::string pod =
        parent + "/kubepods-" + qos + "pod" + kUidSlice + ".slice";
    for (const std::string runtime : {"cri-containerd-", "crio-", "docker-"}) {
      Expect(V2(pod + "/" + runtime + kId + ".scope"), kUid, kId);
    }
    Expect(V2(pod), kUid, "");  // the pod's own slice
  }
}

TEST(ParseCgroupIdentity, KubeletCgroupfsDriver) {
  Expect(V2(std::string("/kubepods/burstable/pod") + kUid + "/" + kId), kUid,
         kId);
  Expect(V2(std::string("/kubepods/pod") + kUid + "/" + kId), kUid, kId);
  Expect(V2(std::string("/kubepods/besteffort/pod") + kUid + "/crio-" + kId),
         kUid, kId);
}

TEST(ParseCgroupIdentity, ContainersWithoutKubernetes) {
  Expect(V2(std::string("/system.slice/docker-") + kId + ".scope"), "", kId);
  Expect(V2(std::string("/docker/") + kId), "", kId);
  Expect(V2(std::string("/machine.slice/libpod-") + kId + ".scope"), "", kId);
  // A bare hex directory anywhere else is not a container.
  Expect(V2(std::string("/user.slice/") + kId), "", "");
}

TEST(ParseCgroupIdentity, CgroupV1LinesAndHybrid) {
  const std::string path = std::string("/kubepods.slice/kubepods-pod") +
                           kUidSlice + ".slice/cri-containerd-" + kId +
                           ".scope";
  Expect("12:pids:" + path + "\n11:memory:" + path +
             "\n1:name=systemd:/init.scope\n",
         kUid, kId);
  // Hybrid: v1 controllers at the root, the unified hierarchy names it.
  Expect("9:name=systemd:/\n8:pids:/\n0::" + path + "\n", kUid, kId);
  // A path with a ':' in it still parses.
  Expect("3:cpu,cpuacct:" + path + ":x\n", kUid, "");
}

TEST(ParseCgroupIdentity, ConmonIsNotAContainer) {
  Expect(V2(std::string("/kubepods.slice/kubepods-pod") + kUidSlice +
            ".slice/crio-conmon-" + kId + ".scope"),
         kUid, "");
}

TEST(ParseCgroupIdentity, MalformedAndForeignLinesSayNothing) {
  for (const std::string text :
       {"", "\n", "garbage", "0:", "0::", "0::relative/path",
        "0::/kubepods.slice/kubepods-podnot-a-uid.slice",
        "0::/kubepods/pod12345", "0::/system.slice/docker-xyz.scope",
        "0::/system.slice/docker-abc.scope",  // too short for an ID
        "0::/init.scope\n1:name=systemd:/user.slice/user-0.slice"}) {
    Expect(text, "", "");
  }
  // A bad line before a good one does not hide it.
  Expect(std::string("junk\n0::/docker/") + kId + "\n", "", kId);
}

}  // namespace
}  // namespace nfce
