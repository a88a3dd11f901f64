// Builtin scripts, parameters and their validation (no parameter can inject PxL), the JWT, and
// the mapping of script results to metrics with counter accumulation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../../config/config_test_util.h"
#include "sources/pixie/jwt.h"
#include "sources/pixie/metrics_mapper.h"
#include "sources/pixie/scripts.h"

namespace observo::pixie {
namespace {

using ::testing::HasSubstr;

TEST(PixieScripts, EveryBuiltinRendersWithItsDefaults) {
  for (const auto& script : builtin_scripts()) {
    std::map<std::string, std::string> params;
    if (script.name == "pod_overview") params["pod_name"] = "default/cart-1";
    const auto pxl = render(script, params);
    ASSERT_TRUE(pxl.ok()) << script.name << ": " << pxl.error();
    EXPECT_THAT(*pxl, ::testing::StartsWith("import px\n")) << script.name;
    EXPECT_EQ(pxl->find("{{"), std::string::npos) << script.name;
    EXPECT_THAT(*pxl, HasSubstr("px.display(")) << script.name;
  }
}

TEST(PixieScripts, ParametersAreValidated) {
  const auto* script = find_script(builtin_scripts(), "http_overview");
  ASSERT_NE(script, nullptr);
  const auto ok = render(*script, {{"start_time", "-15m"}, {"namespace", "kube-system"}});
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_THAT(*ok, HasSubstr("start_time='-15m', end_time=px.now())"));
  EXPECT_THAT(*ok, HasSubstr("df = df[df.namespace == 'kube-system']"));
  const auto absolute =
      render(*script, {{"start_time", "1700000000000000000"}, {"end_time", "1700000060000000000"}});
  ASSERT_TRUE(absolute.ok());
  EXPECT_THAT(*absolute,
              HasSubstr("start_time=1700000000000000000, end_time=1700000060000000000)"));
  EXPECT_THAT(*absolute, ::testing::Not(HasSubstr("df.namespace ==")));
  for (const std::string bad : {"-5", "5m", "-5m'", "now()", "-5m) or x", "-99999999999h"}) {
    EXPECT_FALSE(render(*script, {{"start_time", bad}}).ok()) << bad;
  }
  for (const std::string bad : {"Default", "a'b", "a b", "-a", "a/b/c", "x\ny", ""}) {
    if (bad.empty()) continue;
    EXPECT_FALSE(render(*script, {{"namespace", bad}}).ok()) << bad;
  }
  const auto unknown = render(*script, {{"pod", "x"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error(),
            "script http_overview has no parameter 'pod' (valid: start_time, end_time, namespace)");
  const auto parsed = parse_params("start_time=-5m, namespace = default");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->at("namespace"), "default");
  EXPECT_FALSE(parse_params("a=1,a=2").ok());
  EXPECT_FALSE(parse_params("novalue").ok());
}

TEST(PixieScripts, UserScriptsHaveAHeader) {
  config::testing::TempDir dir;
  dir.write("scripts/top.pxl",
            "# name: top_pods\n# description: Busiest pods\n"
            "# param: start_time time -5m Start\n# param: end_time time now End\n"
            "# param: namespace name \"\" Namespace\n"
            "# metric: cpu counter pixie_top_cpu_seconds_total\n# label: pod\n"
            "import px\ndf = px.DataFrame(table='process_stats', start_time={{start_time}}, "
            "end_time={{end_time}})\n{{?namespace}}df = df[df.ctx['namespace'] == {{namespace}}]\n"
            "px.display(df)\n");
  const auto scripts = load_scripts((dir.path() / "scripts").string());
  ASSERT_TRUE(scripts.ok()) << scripts.error();
  const auto* top = find_script(*scripts, "top_pods");
  ASSERT_NE(top, nullptr);
  EXPECT_FALSE(top->builtin);
  EXPECT_TRUE(top->windowed);
  EXPECT_EQ(top->metrics.size(), 1u);
  EXPECT_EQ(top->labels, std::vector<std::string>{"pod"});
  const auto pxl = render(*top, {{"namespace", "shop"}});
  ASSERT_TRUE(pxl.ok()) << pxl.error();
  EXPECT_THAT(*pxl, HasSubstr("df = df[df.ctx['namespace'] == 'shop']"));
  dir.write("bad/x.pxl", "# param: a weird 1\nimport px\n");
  const auto bad = load_scripts((dir.path() / "bad").string());
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error(), HasSubstr("x.pxl:1: param kind must be time, name or count"));
}

TEST(PixieJwt, HasVizierClaimsAndIsReused) {
  const auto now = SystemClock::time_point(std::chrono::seconds(1700000000));
  const auto token = mint_service_jwt("key", "observo", now, std::chrono::seconds(600));
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  EXPECT_EQ(token.substr(0, first), base64url_encode(R"({"alg":"HS256","typ":"JWT"})"));
  EXPECT_EQ(token.substr(first + 1, second - first - 1),
            base64url_encode(R"({"Scopes":"service","ServiceID":"observo","aud":"vizier",)"
                             R"("exp":1700000600,"iss":"PL","sub":"observo"})"));
  EXPECT_EQ(token.substr(second + 1),
            base64url_encode(hmac_sha256("key", token.substr(0, second))));
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  JwtCache cache("key", "observo");
  const auto a = cache.token(now);
  EXPECT_EQ(cache.token(now + std::chrono::seconds(500)), a);
  EXPECT_NE(cache.token(now + std::chrono::seconds(541)), a);
}

CollectedTable table(std::vector<std::pair<std::string, vizierpb::DataType>> columns) {
  CollectedTable t;
  t.info.id = "t";
  t.info.name = "t";
  for (const auto& [name, type] : columns) t.info.columns.push_back({name, type, {}});
  t.columns.resize(columns.size());
  return t;
}

TEST(PixieMetrics, BuiltinMappingAndCounterAccumulation) {
  const auto* script = find_script(builtin_scripts(), "network_stats");
  auto t = table({{"namespace", vizierpb::STRING},
                  {"pod", vizierpb::STRING},
                  {"bytes_sent", vizierpb::INT64},
                  {"bytes_received", vizierpb::INT64},
                  {"packets_sent", vizierpb::INT64},
                  {"packets_received", vizierpb::INT64}});
  t.columns[0].mutable_string_data()->add_data("shop");
  t.columns[1].mutable_string_data()->add_data("shop/cart-1");
  for (int c = 2; c < 6; ++c)
    t.columns[static_cast<std::size_t>(c)].mutable_int64_data()->add_data(100 * c);
  t.rows = 1;
  const auto samples = map_tables(*script, {t}, "c1");
  ASSERT_EQ(samples.size(), 4u);
  EXPECT_EQ(samples[0].metric, "pixie_network_bytes_sent_total");
  EXPECT_TRUE(samples[0].counter);
  EXPECT_EQ(samples[0].labels,
            metrics::make_labels({{"cluster_id", "c1"}, {"namespace", "shop"}, {"pod", "cart-1"}}));
  EXPECT_EQ(samples[0].value, 200);
  CounterAccumulator accumulator;
  accumulator.apply(samples);
  const auto snapshot = accumulator.apply(samples);
  ASSERT_EQ(snapshot.families.size(), 4u);
  for (const auto& family : snapshot.families) {
    if (family.name != "pixie_network_bytes_sent_total") continue;
    ASSERT_EQ(family.series.size(), 1u);
    EXPECT_EQ(family.series[0].value, 400);
  }
  // A series unseen for kStaleRuns runs is dropped.
  metrics::Snapshot last;
  for (int i = 0; i < CounterAccumulator::kStaleRuns; ++i) last = accumulator.apply({});
  EXPECT_TRUE(last.families.empty());
}

TEST(PixieMetrics, UserScriptsWithoutMappingBecomeGauges) {
  Script script;
  script.name = "top-pods";
  script.builtin = false;
  script.labels = {};
  auto t =
      table({{"pod", vizierpb::STRING}, {"CPU %", vizierpb::FLOAT64}, {"upid", vizierpb::UINT128}});
  t.columns[0].mutable_string_data()->add_data("p");
  t.columns[1].mutable_float64_data()->add_data(1.5);
  t.columns[2].mutable_uint128_data()->add_data();
  t.rows = 1;
  const auto samples = map_tables(script, {t}, "c1");
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].metric, "pixie_top_pods_cpu__");
  EXPECT_FALSE(samples[0].counter);
  EXPECT_EQ(samples[0].labels, metrics::make_labels({{"cluster_id", "c1"}, {"pod", "p"}}));
}

}  // namespace
}  // namespace observo::pixie
