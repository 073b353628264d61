// lunatic::distributed's certificates for the nodes of a cluster (upstream makes them with
// rcgen; here OpenSSL's libcrypto): a new root certificate authority, the control server's
// certificate signed by a root, and a node's signing request signed by a root. Keys are
// P-256, signatures ECDSA with SHA-256, everything PEM; results go to the guest as upstream's
// bincode through its lunatic_alloc (guest_reply.h).
//
// As upstream, a root certificate or key that does not parse, or a key that is not the
// certificate's, fails the calling process; sign_node answers 0 for a signing request it
// cannot read or whose signature does not hold.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/api/api.h"
#include "runtime/api/guest_reply.h"

namespace lunatic::rt::api {
namespace {

template <auto Free>
struct Freer {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Freer<BIO_free_all>>;
using Certificate = std::unique_ptr<X509, Freer<X509_free>>;
using Key = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY_free>>;
using Request = std::unique_ptr<X509_REQ, Freer<X509_REQ_free>>;
using Extensions = std::unique_ptr<STACK_OF(X509_EXTENSION), Freer<[](STACK_OF(X509_EXTENSION)* s) {
  sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
}>>;

// The name the control server's certificate is for: what nodes check when they connect.
constexpr const char* kControlServerName = "ctrl.lunatic.cloud";
constexpr long kValiditySeconds = 10L * 365 * 24 * 3600;

Bio readBio(std::string_view pem) { return Bio(BIO_new_mem_buf(pem.data(), int(pem.size()))); }

Certificate readCertificate(std::string_view pem) {
  Bio bio = readBio(pem);
  return Certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}
Key readKey(std::string_view pem) {
  Bio bio = readBio(pem);
  return Key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}
Request readRequest(std::string_view pem) {
  Bio bio = readBio(pem);
  return Request(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

// PEM text of `write(bio, object)`, or "" if it could not be written.
template <typename Write, typename Object>
std::string pemOf(Write write, Object* object) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get(), object) != 1) return {};
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size_t(length));
}
std::string certificatePem(X509* certificate) { return pemOf(PEM_write_bio_X509, certificate); }
std::string keyPem(EVP_PKEY* key) {  // PKCS#8, unencrypted, as rcgen writes it
  return pemOf([](BIO* bio, EVP_PKEY* k) {
    return PEM_write_bio_PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
  }, key);
}

bool addExtension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer ? issuer : certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (!extension) return false;
  bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// A certificate for `key`'s public half named `subject`, issued by `issuer` (null: itself),
// its serial random and its validity from an hour ago for ten years; not yet signed.
Certificate newCertificate(EVP_PKEY* key, X509_NAME* subject, X509* issuer) {
  Certificate certificate(X509_new());
  if (!certificate) return nullptr;
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return nullptr;
  serial[0] &= 0x7f;  // positive
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = number && BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate.get()));
  BN_free(number);
  ok = ok && X509_set_version(certificate.get(), 2) == 1 && X509_set_pubkey(certificate.get(), key) == 1 &&
       X509_set_subject_name(certificate.get(), subject) == 1 &&
       X509_set_issuer_name(certificate.get(), issuer ? X509_get_subject_name(issuer) : subject) == 1 &&
       X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600) &&
       X509_gmtime_adj(X509_getm_notAfter(certificate.get()), kValiditySeconds) &&
       addExtension(certificate.get(), issuer, NID_subject_key_identifier, "hash");
  if (ok && issuer) ok = addExtension(certificate.get(), issuer, NID_authority_key_identifier, "keyid:always");
  return ok ? std::move(certificate) : nullptr;
}

bool sign(X509* certificate, EVP_PKEY* issuer_key) { return X509_sign(certificate, issuer_key, EVP_sha256()) > 0; }

// A name of an organisation and a common name.
std::unique_ptr<X509_NAME, Freer<X509_NAME_free>> nameOf(const char* organisation, const char* common_name) {
  std::unique_ptr<X509_NAME, Freer<X509_NAME_free>> name(X509_NAME_new());
  auto add = [&](const char* field, const char* value) {
    return X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value), -1, -1, 0) == 1;
  };
  if (!name || !add("O", organisation) || !add("CN", common_name)) return nullptr;
  return name;
}

// The root certificate and its key given as PEM text, which must parse and belong together,
// or the process fails.
struct Root {
  Certificate certificate;
  Key key;
};
Root rootOf(lunatic_instance* self, const char* function, uint32_t cert_ptr, uint32_t cert_len, uint32_t key_ptr,
            uint32_t key_len) {
  Root root{readCertificate(guestText(self, cert_ptr, cert_len, function, "the root certificate")),
            readKey(guestText(self, key_ptr, key_len, function, "the root key"))};
  if (!root.certificate) fail(self, function, "the root certificate is not a PEM certificate");
  if (!root.key) fail(self, function, "the root key is not a PEM private key");
  if (X509_check_private_key(root.certificate.get(), root.key.get()) != 1) {
    fail(self, function, "the root key is not the root certificate's");
  }
  return root;
}

// Answers the bincode of `texts` (Strings) through lunatic_alloc.
uint32_t replyTexts(lunatic_instance* self, const char* function, uint32_t len_ptr,
                    std::initializer_list<const std::string*> texts) {
  ReplyBytes& out = newReply(callerOf(self));
  for (const std::string* text : texts) putBytes(out, text->data(), text->size());
  return handToGuest(self, function, len_ptr);
}

uint32_t test_root_cert(lunatic_instance* self, uint32_t len_ptr) {
  constexpr const char* function = "test_root_cert";
  Key key(EVP_EC_gen("P-256"));
  auto name = nameOf("Lunatic test cluster", "Root CA");
  Certificate root = key && name ? newCertificate(key.get(), name.get(), nullptr) : nullptr;
  if (!root || !addExtension(root.get(), nullptr, NID_basic_constraints, "critical,CA:TRUE") ||
      !addExtension(root.get(), nullptr, NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !sign(root.get(), key.get())) {
    fail(self, function, "could not make a certificate");
  }
  std::string certificate_pem = certificatePem(root.get()), key_pem = keyPem(key.get());
  return replyTexts(self, function, len_ptr, {&certificate_pem, &key_pem});
}

uint32_t default_server_certificates(lunatic_instance* self, uint32_t cert_ptr, uint32_t cert_len, uint32_t key_ptr,
                                     uint32_t key_len, uint32_t len_ptr) {
  constexpr const char* function = "default_server_certificates";
  Root root = rootOf(self, function, cert_ptr, cert_len, key_ptr, key_len);
  Key key(EVP_EC_gen("P-256"));
  auto name = nameOf("Lunatic Inc.", "Control CA");
  Certificate server = key && name ? newCertificate(key.get(), name.get(), root.certificate.get()) : nullptr;
  std::string names = std::string("DNS:") + kControlServerName;
  if (!server || !addExtension(server.get(), root.certificate.get(), NID_subject_alt_name, names.c_str()) ||
      !sign(server.get(), root.key.get())) {
    fail(self, function, "could not make a certificate");
  }
  std::string certificate_pem = certificatePem(server.get()), key_pem = keyPem(key.get());
  return replyTexts(self, function, len_ptr, {&certificate_pem, &key_pem});
}

uint32_t sign_node(lunatic_instance* self, uint32_t cert_ptr, uint32_t cert_len, uint32_t key_ptr, uint32_t key_len,
                   uint32_t csr_ptr, uint32_t csr_len, uint32_t len_ptr) {
  constexpr const char* function = "sign_node";
  Root root = rootOf(self, function, cert_ptr, cert_len, key_ptr, key_len);
  Request request = readRequest(guestText(self, csr_ptr, csr_len, function, "the signing request"));
  if (!request) return 0;
  Key requester(X509_REQ_get_pubkey(request.get()));
  if (!requester || X509_REQ_verify(request.get(), requester.get()) != 1) return 0;
  Certificate node = newCertificate(requester.get(), X509_REQ_get_subject_name(request.get()), root.certificate.get());
  if (!node) fail(self, function, "could not make a certificate");
  // The names the node asked for (its subjectAltName), and nothing that would make it a CA.
  Extensions asked(X509_REQ_get_extensions(request.get()));
  for (int i = 0; asked && i < sk_X509_EXTENSION_num(asked.get()); ++i) {
    X509_EXTENSION* extension = sk_X509_EXTENSION_value(asked.get(), i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(extension)) == NID_subject_alt_name) {
      X509_add_ext(node.get(), extension, -1);
    }
  }
  if (!sign(node.get(), root.key.get())) fail(self, function, "could not sign the certificate");
  std::string certificate_pem = certificatePem(node.get());
  return replyTexts(self, function, len_ptr, {&certificate_pem});
}

}  // namespace
}  // namespace lunatic::rt::api

LUNATIC_HOST_CODE(distributed, test_root_cert, api::test_root_cert);
LUNATIC_HOST_CODE(distributed, default_server_certificates, api::default_server_certificates);
LUNATIC_HOST_CODE(distributed, sign_node, api::sign_node);
