// `skyfuse export`: a recording's ASTERIX inputs as pcap or FINAL; the work
// is live/recording_export.
#include <fmt/format.h>

#include <memory>

#include "apps/commands.hpp"
#include "apps/system_config.hpp"
#include "core/error.hpp"
#include "live/recording_export.hpp"

namespace skyfuse::apps {

Runner add_export_command(CLI::App& app) {
  struct Options {
    std::string recording, out, format = "pcap";
    std::optional<double> from, to;
    bool quiet = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a recording's ASTERIX inputs as a pcap capture or a FINAL recording");
  cmd->add_option("recording", o->recording, "A .sfrec file or a folder of them")->required();
  cmd->add_option("out", o->out, "The file to write")->required();
  cmd->add_option("--format", o->format, "pcap (ASTERIX over UDP) or final (FINAL/IOSS frames)")
      ->check(CLI::IsMember({"pcap", "final"}));
  cmd->add_option("--from", o->from, "From this arrival time (Unix seconds)");
  cmd->add_option("--to", o->to, "Up to this arrival time (Unix seconds), excluded");
  cmd->add_flag("--quiet", o->quiet, "Print only errors");
  cmd->footer(
      "Example:\n  skyfuse export --format pcap rec/ rec.pcap && tshark -r rec.pcap\n"
      "Other inputs (Beast, AVR, SBS, JSON Lines, Remote ID) are skipped and counted.");
  return [o] {
    live::ExportOptions e;
    e.recording = o->recording;
    e.out = o->out;
    e.format = o->format == "final" ? live::ExportFormat::kFinal : live::ExportFormat::kPcap;
    e.from_s = o->from;
    e.to_s = o->to;
    e.load_config = [](const std::string& text, const std::string& name) {
      return load_system_config_text(text, name, true);
    };
    const live::ExportResult r = live::export_recording(e);
    for (const auto& p : r.problems) fmt::print(stderr, "skyfuse export: {}\n", p);
    if (!o->quiet) {
      for (const auto& s : r.sensors) {
        if (s.asterix)
          fmt::print(
              stderr, "skyfuse export: sensor \"{}\" ({}): {} packets, {} bytes{}{}\n", s.name,
              s.format, s.packets, s.bytes,
              e.format == live::ExportFormat::kPcap ? fmt::format(", UDP port {}", s.dst_port) : "",
              s.oversized ? fmt::format(", {} too large skipped", s.oversized) : "");
        else if (s.skipped)
          fmt::print(stderr,
                     "skyfuse export: sensor \"{}\" ({}): {} packets skipped (not ASTERIX)\n",
                     s.name, s.format, s.skipped);
      }
      fmt::print(stderr,
                 "skyfuse export: {} packets written to {}, {} skipped (not ASTERIX), {} outside "
                 "the time window\n",
                 r.packets, o->out, r.skipped, r.outside);
    }
    return r.damaged ? 1 : 0;
  };
}

}  // namespace skyfuse::apps
