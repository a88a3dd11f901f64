// The segment parser and the daemon datagram framing: required fields, lenient values,
// recursion into subsegments, and the header rules of the X-Ray daemon.
#include <gtest/gtest.h>

#include "sources/xray/segment.h"

namespace observo::xray {
namespace {

constexpr const char* kSegment = R"({
  "name": "api", "id": "70de5b6f19ff9a0a", "trace_id": "1-581cf771-a006649127e371903a2de979",
  "start_time": 1.478293361271E9, "end_time": 1478293361.449, "error": true,
  "http": {"request": {"method": "POST", "url": "https://api.example.com/orders/7?x=1",
                       "client_ip": "10.0.0.1"},
           "response": {"status": "404", "content_length": "12"}},
  "subsegments": [
    {"id": "1111111111111111", "name": "local-work", "start_time": 1, "end_time": 2,
     "subsegments": [{"id": "2222222222222222", "name": "DynamoDB", "namespace": "aws",
                      "start_time": 1, "end_time": 2, "throttle": true}]},
    {"id": "3333333333333333", "name": "payments.example.com", "namespace": "remote",
     "start_time": 1, "end_time": 2, "http": {"response": {"status": 503}}},
    {"id": "4444444444444444", "name": "api", "namespace": "remote", "start_time": 1}
  ],
  "unknown_field": {"anything": [1, 2, 3]}
})";

TEST(Segment, ParsesFieldsAndDownstreamCalls) {
  const auto segment = parse_segment(kSegment);
  ASSERT_TRUE(segment.ok()) << segment.error();
  EXPECT_EQ(segment->name, "api");
  EXPECT_EQ(segment->trace_id, "1-581cf771-a006649127e371903a2de979");
  EXPECT_EQ(segment->method, "POST");
  EXPECT_EQ(segment->client_ip, "10.0.0.1");
  EXPECT_EQ(segment->status, 404);
  EXPECT_TRUE(segment->error);
  EXPECT_FALSE(segment->fault);
  EXPECT_DOUBLE_EQ(segment->duration_ms(), 178);
  ASSERT_EQ(segment->calls.size(), 2u);  // a call to itself is not a dependency
  EXPECT_EQ(segment->calls[0].target, "DynamoDB");
  EXPECT_TRUE(segment->calls[0].throttle);
  EXPECT_EQ(segment->calls[1].target, "payments.example.com");
  EXPECT_TRUE(segment->calls[1].fault);
  EXPECT_EQ(segment->local_subsegment_ids, std::vector<std::string>{"1111111111111111"});
}

TEST(Segment, RejectsMissingRequiredFields) {
  EXPECT_FALSE(parse_segment("not json").ok());
  EXPECT_FALSE(parse_segment("[1,2]").ok());
  EXPECT_FALSE(parse_segment(R"({"name":"a","id":"1","trace_id":"t"})").ok());  // no start_time
  EXPECT_FALSE(parse_segment(R"({"id":"1","trace_id":"t","start_time":1})").ok());
  EXPECT_TRUE(
      parse_segment(R"({"name":"a","id":"1","trace_id":"t","start_time":1,"in_progress":true})")
          .ok());
}

TEST(Segment, DeepNestingIsBounded) {
  std::string doc = R"({"name":"a","id":"1","trace_id":"t","start_time":1,"subsegments":[)";
  for (int i = 0; i < 200; ++i) doc += R"({"id":"x","name":"n","subsegments":[)";
  for (int i = 0; i < 200; ++i) doc += "]}";
  doc += "]}";
  EXPECT_TRUE(parse_segment(doc).ok());
}

TEST(Datagram, SplitsAtTheFirstNewlineAndChecksTheHeader) {
  const auto body = split_datagram("{\"format\": \"JSON\", \"version\": 1}\n{\"a\":\n1}");
  ASSERT_TRUE(body.ok()) << body.error();
  EXPECT_EQ(*body, "{\"a\":\n1}");
  EXPECT_FALSE(split_datagram("{\"format\":\"json\",\"version\":2}\n{}").ok());
  EXPECT_FALSE(split_datagram("{\"format\":\"xml\",\"version\":1}\n{}").ok());
  EXPECT_FALSE(split_datagram("{\"format\":\"json\",\"version\":1}\n").ok());
  EXPECT_FALSE(split_datagram("{\"format\":\"json\",\"version\":1}").ok());
  EXPECT_FALSE(split_datagram("garbage\n{}").ok());
}

TEST(Url, StripsQueryAndTemplatesIds) {
  EXPECT_EQ(normalize_url("https://h/a/7?x=1#f", false), "https://h/a/7");
  EXPECT_EQ(normalize_url("https://h/users/42/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301", true),
            "https://h/users/{id}/orders/{id}");
  EXPECT_EQ(normalize_url("/v1/items/12/", true), "/v1/items/{id}/");
  EXPECT_EQ(normalize_url("https://h", true), "https://h");
  EXPECT_EQ(normalize_url("relative/3", true), "relative/3");
}

}  // namespace
}  // namespace observo::xray
