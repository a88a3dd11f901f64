// The xray source: the X-Ray daemon UDP listener feeding the segment aggregator, the windows
// that close the per-window gauges and save the state, and the publication of the xray_* and
// observo_xray_* families into the Hub.
//
// Datagrams, the window timer and publication run on one Asio thread; the API poller (when
// xray.api.enabled) runs on its own thread. Both feed one aggregator under one mutex.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "observo/config/config.h"
#include "observo/metrics/hub.h"
#include "observo/source.h"
#include "sources/xray/aggregator.h"
#include "sources/xray/api_client.h"
#include "sources/xray/credentials.h"
#include "sources/xray/id_store.h"
#include "sources/xray/poller.h"

namespace observo::xray {

class XraySource : public Source {
 public:
  XraySource(const config::XrayConfig& config, metrics::Hub& hub, SourceBoard& board);
  ~XraySource() override;

  std::string name() const override { return "xray"; }
  Result<void> start() override;
  void stop() override;

  // The bound UDP port (after start), for tests and the start-up log.
  std::uint16_t udp_port() const { return udp_port_; }

  // Handles one datagram (public for tests and the benchmark; call on the source's thread or
  // before start()).
  void handle_datagram(std::string_view datagram);

 private:
  void receive();
  void schedule_window();
  void schedule_publish();
  void close_window();
  void publish();
  Result<void> start_poller();
  void poll_loop();
  void poll_once();

  config::XrayConfig config_;
  metrics::Hub& hub_;
  SourceBoard& board_;
  std::mutex mutex_;  // guards aggregator_, ids_, trace_ids_, last_api_end_ and the counters
  Aggregator aggregator_;
  TraceIdStore ids_;
  TraceIdStore trace_ids_;
  double last_api_end_ = 0;
  double first_start_ = 0;  // start of the first poll window (until one completes)
  ApiStats api_stats_;
  std::unique_ptr<CredentialsProvider> credentials_;
  std::unique_ptr<Poller> poller_;
  std::thread poll_thread_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  double windows_polled_ = 0;
  double windows_failed_ = 0;
  double partial_skipped_ = 0;
  double over_limit_ = 0;
  double summaries_ = 0;

  boost::asio::io_context io_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::udp::endpoint sender_;
  boost::asio::steady_timer window_timer_;
  boost::asio::steady_timer publish_timer_;
  std::array<char, 65536> buffer_{};
  std::thread thread_;
  std::uint16_t udp_port_ = 0;
  bool started_ = false;
  std::atomic<bool> dirty_{true};

  double datagrams_ = 0;
  double invalid_header_ = 0;
  double invalid_segment_ = 0;
  double save_errors_ = 0;
  double last_window_end_ = 0;
  bool save_failing_ = false;
};

}  // namespace observo::xray
