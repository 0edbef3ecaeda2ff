// SPDX-License-Identifier: Apache-2.0
#include "exporter/http_server.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "collectors/families.h"
#include "exporter/basic_auth.h"
#include "exporter/doctor/doctor.h"
#include "exporter/flags.h"
#include "exporter/log.h"
#include "exporter/status_page.h"
#include "exporter/text_format.h"
#include "exporter/tls_context.h"
#include "exporter/version.h"

namespace nfce {

// Requests answered, by handler and status code: the exporter's own
// nf_conntrack_exporter_http_requests_total.
class RequestCounter {
 public:
  void Add(absl::string_view handler, int code) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[{std::string(handler), code}];
  }
  prometheus::MetricFamily Family() const {
    auto f = CounterFamily(
        "nf_conntrack_exporter_http_requests_total",
        "HTTP requests the exporter answered, by handler (the path that "
        "served it; \"none\" for requests refused before any handler) and "
        "status code.");
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, n] : counts_) {
      AddSample(&f, static_cast<double>(n),
                {{"handler", key.first}, {"code", absl::StrCat(key.second)}});
    }
    return f;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> counts_;
};

// What every response shares: the configured headers, and who may ask.
struct HttpServer::Policy {
  // Requests being served: shutdown waits for them, since civetweb drops
  // every response once it is told to stop.
  std::atomic<int> in_flight{0};
  std::string extra_headers;        // "Name: value\r\n" lines
  std::unique_ptr<BasicAuth> auth;  // null: no authentication
  std::optional<WebConfig::Tls> tls;
  RequestCounter requests;
  std::atomic<bool> handlers_ready{false};  // see BeginRequest
};

namespace {

// The status line and headers of a response, up to the blank line.
std::string Head(const std::string& extra_headers, int code,
                 absl::string_view reason, absl::string_view content_type,
                 size_t content_length, absl::string_view more_headers) {
  return absl::StrCat(
      "HTTP/1.1 ", code, " ", reason, "\r\nContent-Type: ", content_type,
      "\r\nContent-Length: ", content_length, "\r\nCache-Control: no-store\r\n",
      extra_headers, more_headers, "\r\n");
}

void Respond(mg_connection* conn, const std::string& extra_headers, int code,
             absl::string_view reason, absl::string_view content_type,
             absl::string_view body, bool head_only,
             absl::string_view more_headers = "") {
  // One write for headers and body: two small writes on a kept-alive
  // connection meet Nagle's algorithm and the client's delayed ACK (40 ms).
  std::string response = Head(extra_headers, code, reason, content_type,
                              body.size(), more_headers);
  if (!head_only) response.append(body.data(), body.size());
  mg_write(conn, response.data(), response.size());
}

// A body written after `kHeadroom` unused bytes at the front of `buffer`,
// so that the head can be put in front of it and both sent in one write
// without copying the body (10 KB and more) into a new string.
struct BodyWithHeadroom {
  static constexpr size_t kHeadroom = 1024;
  std::string buffer;
  explicit BodyWithHeadroom(size_t expected_body) {
    buffer.reserve(kHeadroom + expected_body);
    buffer.resize(kHeadroom);
  }
  absl::string_view body() const {
    return absl::string_view(buffer).substr(kHeadroom);
  }
  // Writes `head` and the body in one write. A head longer than the room
  // (configured headers of over 1 KiB) moves the body once.
  void Send(mg_connection* conn, absl::string_view head, bool head_only) {
    const size_t body_size = body().size();
    size_t start = 0;
    if (head.size() <= kHeadroom) {
      start = kHeadroom - head.size();
      std::copy(head.begin(), head.end(), buffer.begin() + start);
    } else {
      buffer.replace(0, kHeadroom, head.data(), head.size());
    }
    mg_write(conn, buffer.data() + start,
             head.size() + (head_only ? 0 : body_size));
  }
};

// Serves GET and HEAD of exactly one path (civetweb also hands a handler
// the paths below its own: those get 404); every other method gets 405.
// With basic_auth_users configured, every request needs credentials.
class ReadOnlyHandler : public CivetHandler {
 public:
  ReadOnlyHandler(std::string path, HttpServer::Policy* policy)
      : path_(std::move(path)), policy_(policy) {}
  const std::string& path() const { return path_; }
  const HttpServer::Policy* policy() const { return policy_; }
  bool handleGet(CivetServer*, mg_connection* conn) override {
    return Dispatch(conn, false);
  }
  bool handleHead(CivetServer*, mg_connection* conn) override {
    return Dispatch(conn, true);
  }
  bool handlePost(CivetServer*, mg_connection* conn) override {
    return Refuse(conn);
  }
  bool handlePut(CivetServer*, mg_connection* conn) override {
    return Refuse(conn);
  }
  bool handleDelete(CivetServer*, mg_connection* conn) override {
    return Refuse(conn);
  }
  bool handleOptions(CivetServer*, mg_connection* conn) override {
    return Refuse(conn);
  }
  bool handlePatch(CivetServer*, mg_connection* conn) override {
    return Refuse(conn);
  }

 protected:
  virtual bool Serve(mg_connection* conn, bool head_only) = 0;
  void Reply(mg_connection* conn, absl::string_view content_type,
             absl::string_view body, bool head_only,
             absl::string_view more_headers = "") {
    Answer(conn, 200, "OK", content_type, body, head_only, more_headers);
  }
  // Every answer of a handler is written in one write, and counted.
  void Answer(mg_connection* conn, int code, absl::string_view reason,
              absl::string_view content_type, absl::string_view body,
              bool head_only, absl::string_view more_headers = "") {
    Respond(conn, policy_->extra_headers, code, reason, content_type, body,
            head_only, more_headers);
    policy_->requests.Add(path_, code);
  }
  // A 200 whose body was written after room for its head.
  void Reply(mg_connection* conn, absl::string_view content_type,
             BodyWithHeadroom* body, bool head_only,
             absl::string_view more_headers) {
    body->Send(conn,
               Head(policy_->extra_headers, 200, "OK", content_type,
                    body->body().size(), more_headers),
               head_only);
    policy_->requests.Add(path_, 200);
  }

 private:
  bool Dispatch(mg_connection* conn, bool head_only) {
    struct InFlight {
      std::atomic<int>& n;
      explicit InFlight(std::atomic<int>& count) : n(count) { ++n; }
      ~InFlight() { --n; }
    } in_flight(policy_->in_flight);
    if (policy_->auth) {
      const char* auth = mg_get_header(conn, "Authorization");
      if (auth == nullptr || !policy_->auth->Check(auth)) {
        Answer(conn, 401, "Unauthorized", "text/plain; charset=utf-8",
               "401 Unauthorized\n", head_only,
               "WWW-Authenticate: Basic realm=\"nf_conntrack_exporter\"\r\n");
        return true;
      }
    }
    if (mg_get_request_info(conn)->local_uri != path_) {
      Answer(conn, 404, "Not Found", "text/plain; charset=utf-8",
             "404 page not found\n", head_only);
      return true;
    }
    return Serve(conn, head_only);
  }

  bool Refuse(mg_connection* conn) {
    Answer(conn, 405, "Method Not Allowed", "text/plain; charset=utf-8",
           "405 method not allowed: use GET or HEAD\n", false,
           "Allow: GET, HEAD\r\n");
    return true;
  }

  const std::string path_;
  HttpServer::Policy* policy_;
};

// Compresses bodies to gzip with deflate streams kept for the next scrape.
// Setting a stream up allocates 256 KiB and clears a quarter of it: 48 of
// the 68 us that a fresh stream took for a 10 KB body, against 21 us for a
// kept one after deflateReset() (docs/performance.md).
class GzipPool {
 public:
  ~GzipPool() {
    for (z_stream* zs : kept_) End(zs);
  }
  // Appends `in` in gzip format to `out`.
  absl::Status Compress(absl::string_view in, std::string* out) {
    z_stream* zs = Take();
    if (zs == nullptr) return absl::InternalError("deflateInit2 failed");
    const size_t start = out->size();
    out->resize(start + deflateBound(zs, in.size()));
    zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs->avail_in = static_cast<uInt>(in.size());
    zs->next_out = reinterpret_cast<Bytef*>(out->data() + start);
    zs->avail_out = static_cast<uInt>(out->size() - start);
    const int rc = deflate(zs, Z_FINISH);
    out->resize(start + zs->total_out);
    if (rc != Z_STREAM_END || deflateReset(zs) != Z_OK) {
      End(zs);
      return absl::InternalError("deflate failed");
    }
    Give(zs);
    return absl::OkStatus();
  }

 private:
  // As many as scrapes that usually overlap; more are set up and ended.
  static constexpr size_t kKept = 4;

  z_stream* Take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!kept_.empty()) {
        z_stream* zs = kept_.back();
        kept_.pop_back();
        return zs;
      }
    }
    auto* zs = new z_stream{};
    // 15 + 16: a gzip wrapper; level 1: metrics compress well even so, and
    // the CPU of a scrape matters more than a few hundred bytes.
    if (deflateInit2(zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      delete zs;
      return nullptr;
    }
    return zs;
  }
  void Give(z_stream* zs) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (kept_.size() < kKept) {
        kept_.push_back(zs);
        return;
      }
    }
    End(zs);
  }
  static void End(z_stream* zs) {
    deflateEnd(zs);
    delete zs;
  }

  std::mutex mu_;
  std::vector<z_stream*> kept_;
};

// The Policy that civetweb's callbacks reach: CivetServer passes itself as
// civetweb's user data and keeps our Policy as its user context.
HttpServer::Policy* PolicyOf(const mg_connection* conn) {
  const auto* server =
      static_cast<const CivetServer*>(mg_get_user_data(mg_get_context(conn)));
  if (server == nullptr) return nullptr;
  return static_cast<HttpServer::Policy*>(
      const_cast<void*>(server->getUserContext()));
}

// A plain answer that closes the connection, for requests refused before
// any handler runs.
void RefuseRequest(mg_connection* conn, int code, absl::string_view reason,
                   absl::string_view why) {
  Respond(conn, "", code, reason, "text/plain; charset=utf-8",
          absl::StrCat(code, " ", reason, ": ", why, "\n"), false,
          "Connection: close\r\n");
  if (HttpServer::Policy* policy = PolicyOf(conn)) {
    policy->requests.Add("none", code);
  }
}

// Refuses what the exporter never serves, before civetweb handles it: an
// Upgrade (civetweb answers a WebSocket handshake it cannot serve with a
// body and no status line), and any request body: a GET or HEAD needs none,
// and a Transfer-Encoding, or a Content-Length given twice, is read
// differently by proxies and servers (request smuggling; RFC 9112 6.3 wants
// 400).
int BeginRequest(mg_connection* conn) {
  // civetweb listens before the handlers are added (microseconds later):
  // hold a request that arrives in between, rather than answer 404 for a
  // path the exporter serves. Bounded: 1 s.
  if (HttpServer::Policy* policy = PolicyOf(conn)) {
    for (int i = 0; i < 1000 && !policy->handlers_ready.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  const mg_request_info* info = mg_get_request_info(conn);
  const char* length = nullptr;
  for (int i = 0; i < info->num_headers; ++i) {
    absl::string_view name = info->http_headers[i].name;
    absl::string_view value = info->http_headers[i].value;
    if (absl::EqualsIgnoreCase(name, "Upgrade")) {
      RefuseRequest(conn, 400, "Bad Request", "upgrades are not served");
      return 400;
    }
    if (absl::EqualsIgnoreCase(name, "Transfer-Encoding")) {
      RefuseRequest(conn, 400, "Bad Request", "no request body is read");
      return 400;
    }
    if (absl::EqualsIgnoreCase(name, "Content-Length")) {
      if (length != nullptr || value != "0") {
        RefuseRequest(conn, 400, "Bad Request",
                      length != nullptr ? "Content-Length given twice"
                                        : "no request body is read");
        return 400;
      }
      length = info->http_headers[i].value;
    }
  }
  return 0;
}

// civetweb's own error pages echo a malformed request line into the status
// line ("HTTP/b HTTP/1.1 ... 400"): answer with a clean one instead.
int HttpError(mg_connection* conn, int status, const char*) {
  const char* reason = mg_get_response_code_text(conn, status);
  RefuseRequest(conn, status, reason ? reason : "Error",
                status == 400 ? "malformed request" : "refused");
  return 0;
}

// civetweb calls this with its SSL_CTX, and the CivetServer as user data.
int InitSsl(void* ssl_ctx, void* user_data) {
  const auto* policy = static_cast<const HttpServer::Policy*>(
      static_cast<CivetServer*>(user_data)->getUserContext());
  absl::Status s =
      TlsContext::Configure(*policy->tls, static_cast<ssl_ctx_st*>(ssl_ctx));
  if (!s.ok()) {
    Log(LogLevel::kError, "TLS setup failed", {{"err", s.message()}});
    return -1;
  }
  return 1;  // the certificate is set up
}

}  // namespace

class HttpServer::MetricsHandler : public ReadOnlyHandler {
 public:
  MetricsHandler(std::string path, Policy* policy,
                 const prometheus::Collectable& metrics, int max_requests)
      : ReadOnlyHandler(std::move(path), policy),
        metrics_(metrics),
        max_requests_(max_requests) {}

 private:
  bool Serve(mg_connection* conn, bool head_only) override {
    // At most max_requests_ scrapes at once; beyond, 503 at once rather than
    // a queue of collections (node_exporter's --web.max-requests).
    struct Slot {
      std::atomic<int>& n;
      explicit Slot(std::atomic<int>& count) : n(count) { ++n; }
      ~Slot() { --n; }
    } slot(scrapes_);
    if (max_requests_ > 0 && scrapes_.load() > max_requests_) {
      Answer(conn, 503, "Service Unavailable", "text/plain; charset=utf-8",
             absl::StrCat("503 too many scrapes at once (--web.max-requests=",
                          max_requests_, ")\n"),
             head_only);
      return true;
    }
    std::vector<prometheus::MetricFamily> families = metrics_.Collect();
    families.push_back(policy()->requests.Family());
    // Room for as much as last time, and a little: one allocation, where
    // growing the string doubles it five times over, copying as it goes.
    BodyWithHeadroom text(body_size_.load(std::memory_order_relaxed) * 9 / 8);
    AppendText(families, &text.buffer);
    body_size_.store(text.body().size(), std::memory_order_relaxed);
    const char* accept = mg_get_header(conn, "Accept-Encoding");
    if (accept != nullptr && absl::StrContains(accept, "gzip")) {
      // deflateBound() at level 1: the size, 1/4096 more, and some bytes.
      BodyWithHeadroom gz(text.body().size() + text.body().size() / 1024 + 64);
      if (gzip_.Compress(text.body(), &gz.buffer).ok()) {
        Reply(conn, kType, &gz, head_only,
              "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
        return true;
      }
    }
    Reply(conn, kType, &text, head_only, "Vary: Accept-Encoding\r\n");
    return true;
  }
  static constexpr char kType[] = "text/plain; version=0.0.4; charset=utf-8";
  const prometheus::Collectable& metrics_;
  GzipPool gzip_;
  const int max_requests_;
  std::atomic<int> scrapes_{0};
  std::atomic<size_t> body_size_{0};  // of the last scrape
};

// The status page at /: the doctor's diagnosis of this host, gathered on
// each view (not on the scrape path), with the sampled history.
class HttpServer::StatusHandler : public ReadOnlyHandler {
 public:
  StatusHandler(Policy* policy, const Options& options, const History& history)
      : ReadOnlyHandler("/", policy),
        paths_(options.paths),
        telemetry_path_(options.telemetry_path),
        history_(history),
        stat_(options.stat),
        board_(options.flows.board) {}

 private:
  bool Serve(mg_connection* conn, bool head_only) override {
    DoctorOptions o;
    o.paths = paths_;
    o.stat = stat_;        // the stat collector's counters, wraps and all
    o.dump_flows = false;  // a page view must stay cheap: the flows
                           // collector's latest dump serves instead
    o.kernel_log_reader = &kernel_log_;  // only what was logged since
    HostFacts facts = GatherFacts(o);
    MakeupBoard::Entry latest = board_->Latest();
    if (latest.makeup) {
      facts.makeup = *latest.makeup;
      facts.makeup_note = absl::StrCat(
          "From the flows collector's dump ",
          absl::ToInt64Seconds(absl::Now() - latest.time), " s ago.");
    } else {
      facts.makeup_note =
          "Start the exporter with --collector.flows to see what fills the "
          "table (one dump per --collector.flows.interval, off the scrape "
          "path; needs CAP_NET_ADMIN).";
    }
    Reply(conn, "text/html; charset=utf-8",
          RenderStatusPage(facts, Diagnose(facts), history_.Snapshot(),
                           telemetry_path_, absl::Now()),
          head_only);
    return true;
  }
  const Paths paths_;
  const std::string telemetry_path_;
  const History& history_;
  const StatOptions stat_;
  const std::shared_ptr<MakeupBoard> board_;
  KernelLog kernel_log_{"/dev/kmsg"};
};

// A fixed body: the probes' answers.
class HttpServer::StaticHandler : public ReadOnlyHandler {
 public:
  StaticHandler(std::string path, Policy* policy, std::string content_type,
                std::string body)
      : ReadOnlyHandler(std::move(path), policy),
        content_type_(std::move(content_type)),
        body_(std::move(body)) {}

 private:
  bool Serve(mg_connection* conn, bool head_only) override {
    Reply(conn, content_type_, body_, head_only);
    return true;
  }
  const std::string content_type_;
  const std::string body_;
};

std::string WhyCannotBind(absl::string_view civet_port) {
  std::string host = "0.0.0.0";
  absl::string_view port = civet_port;
  if (size_t colon = civet_port.rfind(':'); colon != absl::string_view::npos) {
    host = std::string(civet_port.substr(0, colon));
    port = civet_port.substr(colon + 1);
  }
  int port_number = 0;
  if (!absl::SimpleAtoi(port, &port_number)) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_number));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return "";
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  std::string why;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    why = std::strerror(errno);
  }
  close(fd);
  return why;
}

absl::StatusOr<std::string> CivetListeningPort(absl::string_view address,
                                               bool ipv6_supported) {
  if (address.find_first_of(", \t") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", address,
                     "\": one [host]:port only (no list, no spaces)"));
  }
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address \"", address, "\" needs a port: [host]:port"));
  }
  absl::string_view host = address.substr(0, colon);
  absl::string_view port = address.substr(colon + 1);
  int port_number = 0;
  if (!absl::SimpleAtoi(port, &port_number) || port_number < 0 ||
      port_number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", address, "\" has a bad port"));
  }
  if (host.empty()) return std::string(port);
  if (host == "localhost") return absl::StrCat("127.0.0.1:", port);
  bool bracketed = absl::StartsWith(host, "[") && absl::EndsWith(host, "]");
  if (!bracketed && host.find(':') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address \"", address, "\": write IPv6 hosts as [addr]:port"));
  }
  if (bracketed && !ipv6_supported) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address \"", address,
        "\": this build of civetweb has no IPv6 support; use an IPv4 host or "
        ":port"));
  }
  return std::string(address);
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const Options& options, const WebConfig& web,
    const prometheus::Collectable& metrics, const History& history) {
  absl::StatusOr<std::string> port = CivetListeningPort(
      options.listen_address, mg_check_feature(MG_FEATURES_IPV6) != 0);
  if (!port.ok()) return port.status();
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->policy_ = std::make_unique<Policy>();
  Policy& policy = *server->policy_;
  for (const auto& [name, value] : web.headers) {
    absl::StrAppend(&policy.extra_headers, name, ": ", value, "\r\n");
  }
  if (!web.basic_auth_users.empty()) {
    policy.auth = std::make_unique<BasicAuth>(web.basic_auth_users);
  }
  policy.tls = web.tls;

  std::vector<std::string> civet_options = {
      // An "s" makes the port TLS-only: plain HTTP to it fails.
      "listening_ports",
      web.tls ? absl::StrCat(*port, "s") : *port,
      // civetweb serves a connection on one thread for as long as it is
      // open: room for slow or idle clients beside Prometheus (about 8 KiB
      // of memory each when idle), and a queue for the rest.
      "num_threads",
      absl::StrCat(options.max_connections),
      "connection_queue",
      absl::StrCat(std::max(options.max_connections, 64)),
      // Prometheus reuses its scrape connection (Go keeps it up to 5
      // minutes idle): once the table is full, a new connection to the
      // exporter would be dropped like any other. civetweb's default closes
      // it after 0.5 s idle, before the next scrape; 2 minutes covers
      // scrape intervals up to a minute with room.
      "enable_keep_alive",
      "yes",
      "keep_alive_timeout_ms",
      "120000",
      // A client that sends nothing, or reads nothing, is cut off.
      "request_timeout_ms",
      absl::StrCat(options.request_timeout_ms),
      "tcp_nodelay",
      "1",
  };
  CivetCallbacks callbacks;
  callbacks.begin_request = BeginRequest;
  callbacks.http_error = HttpError;
  if (web.tls) {
    if (mg_check_feature(MG_FEATURES_TLS) == 0) {
      return absl::FailedPreconditionError(
          "tls_server_config: this civetweb has no TLS support");
    }
    callbacks.init_ssl = InitSsl;
    // civetweb loads its TLS library only when a certificate is named; the
    // callback then sets up the context itself (see InitSsl).
    civet_options.insert(civet_options.end(),
                         {"ssl_certificate", web.tls->cert_file});
  }
  server->metrics_ = std::make_unique<MetricsHandler>(
      options.telemetry_path, &policy, metrics, options.max_requests);
  constexpr char kText[] = "text/plain; charset=utf-8";
  server->status_ = std::make_unique<StatusHandler>(&policy, options, history);
  // Probes: the process answers HTTP (healthy), and serves metrics (ready:
  // collectors run at scrape time, so there is nothing to wait for).
  server->statics_.push_back(std::make_unique<StaticHandler>(
      "/-/healthy", &policy, kText, "Healthy\n"));
  server->statics_.push_back(
      std::make_unique<StaticHandler>("/-/ready", &policy, kText, "Ready\n"));
  try {
    server->server_ =
        std::make_unique<CivetServer>(civet_options, &callbacks, &policy);
  } catch (const CivetException& e) {
    // civetweb says only "null context when constructing CivetServer";
    // binding the address ourselves tells why (in use, not ours, ...).
    std::string why = WhyCannotBind(*port);
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address, ": ",
                     why.empty() ? std::string(e.what()) : why));
  }
  server->server_->addHandler(options.telemetry_path, server->metrics_.get());
  server->server_->addHandler("/", server->status_.get());
  for (const auto& handler : server->statics_) {
    server->server_->addHandler(handler->path(), handler.get());
  }
  policy.handlers_ready = true;
  return server;
}

bool HttpServer::Drain(absl::Duration max_wait) {
  absl::Time deadline = absl::Now() + max_wait;
  while (policy_->in_flight.load() > 0) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

HttpServer::~HttpServer() {
  if (server_) server_->close();
}

}  // namespace nfce
