#include "decode/remoteid/capture.hpp"

#include <pcap/pcap.h>

#include <cstdio>

namespace skyfuse::decode::remoteid {

struct CaptureReader::Handle {
  pcap_t* pcap = nullptr;
  std::vector<std::uint8_t> memory;  // open_memory(): the bytes fmemopen reads
  ~Handle() {
    if (pcap != nullptr) pcap_close(pcap);  // also closes the FILE of open_memory()
  }
};

CaptureReader::CaptureReader(std::unique_ptr<Handle> h) : h_(std::move(h)) {
  dlt_ = pcap_datalink(h_->pcap);
}

CaptureReader::~CaptureReader() = default;

Result<CaptureReader> CaptureReader::open(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  auto h = std::make_unique<Handle>();
  h->pcap = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (h->pcap == nullptr) return Error{ErrorCode::kIo, -1, err};
  return CaptureReader(std::move(h));
}

Result<CaptureReader> CaptureReader::open_memory(Bytes file) {
  char err[PCAP_ERRBUF_SIZE] = {};
  auto h = std::make_unique<Handle>();
  h->memory.assign(file.begin(), file.end());
  if (h->memory.empty()) return Error{ErrorCode::kIo, -1, "empty capture"};
  FILE* f = fmemopen(h->memory.data(), h->memory.size(), "rb");
  if (f == nullptr) return Error{ErrorCode::kIo, -1, "fmemopen failed"};
  h->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
  if (h->pcap == nullptr) {
    std::fclose(f);
    return Error{ErrorCode::kIo, -1, err};
  }
  return CaptureReader(std::move(h));
}

Result<std::optional<CapturedPacket>> CaptureReader::next() {
  if (done_) return std::optional<CapturedPacket>{};
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(h_->pcap, &hdr, &data);
  if (rc == PCAP_ERROR_BREAK) {  // end of file
    done_ = true;
    return std::optional<CapturedPacket>{};
  }
  if (rc != 1) {
    done_ = true;
    return Error{ErrorCode::kIo, number_ + 1, pcap_geterr(h_->pcap)};
  }
  CapturedPacket p;
  p.number = ++number_;
  p.time = Time{static_cast<std::int64_t>(hdr->ts.tv_sec) * 1000000000 +
                static_cast<std::int64_t>(hdr->ts.tv_usec)};  // nanoseconds (precision NANO)
  p.data = Bytes(data, hdr->caplen);
  p.original_length = hdr->len;
  return std::optional<CapturedPacket>{p};
}

Result<DecoderStats> decode_capture(CaptureReader& reader, const DecodedSink& sink,
                                    DecoderConfig cfg) {
  const int dlt = reader.link_type();
  if (!link_supported(dlt))
    return Error{ErrorCode::kUnsupported, -1,
                 "link-layer type " + std::to_string(dlt) +
                     " (supported: 105 802.11, 127 radiotap, 187/201 HCI H4, 251/256 LE link "
                     "layer, 272 nRF Sniffer)"};
  Decoder dec(cfg);
  for (;;) {
    auto p = reader.next();
    if (!p) {
      dec.error(p.error().offset, Error{ErrorCode::kIo, -1, "capture file: " + p.error().detail});
      break;
    }
    if (!p->has_value()) break;
    const CapturedPacket& c = **p;
    dec.decode(dlt, c.time, c.number, c.data, sink);
  }
  return dec.stats();
}

Result<DecoderStats> decode_capture(const std::string& path, const DecodedSink& sink,
                                    DecoderConfig cfg) {
  auto reader = CaptureReader::open(path);
  if (!reader) return reader.error();
  return decode_capture(*reader, sink, cfg);
}

}  // namespace skyfuse::decode::remoteid
