#include "common/caller_auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace smartshop {
namespace {

bool IsCallerName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

bool IsBearerTokenText(absl::string_view token) {
  for (char c : token) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::shared_ptr<const CallerAuth> CallerAuth::Disabled() {
  static const auto* const disabled =
      new std::shared_ptr<const CallerAuth>(new CallerAuth(false, {}));
  return *disabled;
}

std::shared_ptr<const CallerAuth> CallerAuth::DenyAll() {
  static const auto* const deny =
      new std::shared_ptr<const CallerAuth>(new CallerAuth(true, {}));
  return *deny;
}

CallerAuth::Digest CallerAuth::Sha256(absl::string_view text) {
  Digest digest;
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest.data());
  return digest;
}

absl::StatusOr<std::shared_ptr<const CallerAuth>> CallerAuth::Parse(
    absl::string_view text) {
  std::vector<Entry> entries;
  absl::flat_hash_set<std::string> seen_tokens;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tokens line ", line_number, ": ", why,
          " (expected: <caller> <scopes: read, write, record, comma-separated> "
          "<token>)"));
    };
    if (fields.size() != 3) return bad("needs exactly three fields");
    Entry entry;
    if (!IsCallerName(fields[0])) {
      return bad("caller name must be 1-64 of A-Z a-z 0-9 . _ -");
    }
    entry.caller = std::string(fields[0]);
    for (absl::string_view scope : absl::StrSplit(fields[1], ',')) {
      if (scope == "read") {
        entry.read = true;
      } else if (scope == "write") {
        entry.write = true;
      } else if (scope == "record") {
        entry.record = true;
      } else {
        // Not repeated when long: swapped columns would put a token here.
        return bad(scope.size() <= 16
                       ? absl::StrCat("unknown scope \"", scope, "\"")
                       : std::string("unknown scope (not shown: too long)"));
      }
    }
    const absl::string_view token = fields[2];
    if (token.size() < kMinTokenLength) {
      return bad(
          absl::StrCat("token shorter than ", kMinTokenLength, " characters"));
    }
    if (!IsBearerTokenText(token)) return bad("token must be visible ASCII");
    if (!seen_tokens.emplace(token).second) {
      return bad("token already given to a caller above");
    }
    entry.digest = Sha256(token);
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) {
    return absl::InvalidArgumentError(
        "tokens file names no caller (use --insecure_no_auth to run without "
        "authentication, for local development only)");
  }
  return std::shared_ptr<const CallerAuth>(
      new CallerAuth(true, std::move(entries)));
}

absl::StatusOr<std::shared_ptr<const CallerAuth>> CallerAuth::LoadFile(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read tokens file ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::shared_ptr<const CallerAuth>> auth = Parse(text.str());
  if (!auth.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", auth.status().message()));
  }
  return auth;
}

absl::StatusOr<std::string> CallerAuth::Authorize(
    absl::string_view authorization, Scope scope) const {
  if (!enabled_) return std::string("anyone");
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "missing \"authorization: Bearer <token>\" metadata");
  }
  absl::string_view token = authorization;
  // RFC 7235: the scheme is case-insensitive.
  if (token.size() < 7 ||
      !absl::EqualsIgnoreCase(token.substr(0, 7), "Bearer ")) {
    return absl::UnauthenticatedError(
        "authorization metadata must be \"Bearer <token>\"");
  }
  token = absl::StripAsciiWhitespace(token.substr(7));
  const Digest presented = Sha256(token);
  // Every entry is compared, without stopping at a match, so that the time
  // taken says nothing about which caller (if any) the token belongs to.
  const Entry* match = nullptr;
  for (const Entry& entry : entries_) {
    if (CRYPTO_memcmp(entry.digest.data(), presented.data(),
                      presented.size()) == 0) {
      match = &entry;
    }
  }
  if (match == nullptr) return absl::UnauthenticatedError("unknown token");
  bool allowed = false;
  absl::string_view name;
  switch (scope) {
    case Scope::kRead:
      allowed = match->read;
      name = "read";
      break;
    case Scope::kWrite:
      allowed = match->write;
      name = "write";
      break;
    case Scope::kRecord:
      allowed = match->record || match->write;
      name = "record";
      break;
  }
  if (!allowed) {
    return absl::PermissionDeniedError(
        absl::StrCat("caller ", match->caller, " lacks the ", name, " scope"));
  }
  return match->caller;
}

absl::StatusOr<std::shared_ptr<const CallerAuth>> LoadCallerAuth(
    const std::string& tokens_file, bool insecure_no_auth) {
  if (insecure_no_auth) {
    if (!tokens_file.empty()) {
      return absl::InvalidArgumentError(
          "--auth_tokens_file and --insecure_no_auth exclude each other");
    }
    return CallerAuth::Disabled();
  }
  if (tokens_file.empty()) {
    return absl::InvalidArgumentError(
        "--auth_tokens_file is required (callers' bearer tokens); "
        "--insecure_no_auth turns authentication off for local development");
  }
  return CallerAuth::LoadFile(tokens_file);
}

}  // namespace smartshop
