/*
 * tls_conf.c: a TLS check's settings read from its files at start: trust
 * anchors from a PEM bundle, a client certificate chain and its key.
 *
 * BearSSL does all the decoding (its PEM decoder, br_x509_decoder for the
 * anchors' names and keys, br_skey_decoder for the private key); here
 * are only the files, the copies BearSSL needs kept, and the messages.
 * A bundle is read once however many checks name it: the system's has
 * over a hundred anchors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls_conf.h"

#define TLS_CONF_FILE_MAX	(8u << 20)	/* a bigger PEM file is a mistake */

/* Where distributions keep the CA bundle (OpenSSL's and Go's lists). */
static const char *const tls_conf_bundles[] = {
	"/etc/ssl/certs/ca-certificates.crt",	/* Debian, Ubuntu, Arch */
	"/etc/ssl/cert.pem",			/* Alpine, the BSDs, macOS */
	"/etc/pki/tls/certs/ca-bundle.crt",	/* Fedora, RHEL */
	"/etc/ssl/ca-bundle.pem",		/* openSUSE */
};

/* The anchors of one file, shared by the confs that name it. */
struct tls_anchors {
	struct tls_anchors *next;
	char		*path;
	unsigned	 refs;
	br_x509_trust_anchor *ta;	/* n of them; names and keys owned */
	size_t		 n, cap;
};

struct tls_conf {
	struct tls_anchors *anchors;	/* NULL when insecure */
	bool		 insecure;
	br_x509_certificate *chain;	/* the client's, EE first; owned */
	size_t		 nchain;
	unsigned	 issuer_key_type; /* of the CA that signed chain[0] */
	br_skey_decoder_context key;	/* holds the decoded key itself */
	bool		 has_key;
};

static struct tls_anchors *tls_conf_loaded;	/* every file read */

/* A growable byte buffer, as BearSSL's decoders' destination. */
struct tls_conf_blob {
	unsigned char	*data;
	size_t		 len, cap;
	bool		 failed;	/* out of memory: the rest is lost */
};

/* A blob may hold a private key: wiped before it is freed. */
static void
tls_conf_blob_free(struct tls_conf_blob *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	free(b->data);
	b->data = NULL;
}

static void
tls_conf_blob_append(void *arg, const void *src, size_t len)
{
	struct tls_conf_blob *b = arg;
	unsigned char *p;

	/* lint: nothing to add leaves data NULL in an empty blob, and
	 * memcpy() to NULL is undefined even for 0 bytes; "no data yet" said
	 * outright, as gcc -fanalyzer loses cap == 0 on its way here. */
	if (b->failed || len == 0)
		return;
	if (b->data == NULL || b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;

		while (cap < b->len + len)
			cap *= 2;
		/* Not realloc: it would leave copies of a key behind. */
		if ((p = malloc(cap)) == NULL) {
			b->failed = true;
			return;
		}
		if (b->data)
			memcpy(p, b->data, b->len);
		tls_conf_blob_free(b);
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, src, len);
	b->len += len;
}

/* The whole file into *b; NULL or why not. */
static const char *
tls_conf_read(const char *path, struct tls_conf_blob *b)
{
	unsigned char chunk[8192];
	FILE *f;
	size_t n;
	const char *err = NULL;

	if ((f = fopen(path, "rb")) == NULL)
		return strerror(errno);
	setvbuf(f, NULL, _IONBF, 0);	/* no copy of a key in stdio's buffer */
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && !b->failed) {
		if (b->len + n > TLS_CONF_FILE_MAX) {
			err = "larger than 8 MiB";
			break;
		}
		tls_conf_blob_append(b, chunk, n);
	}
	if (err == NULL && ferror(f))
		err = strerror(errno ? errno : EIO);
	if (err == NULL && b->failed)
		err = "out of memory";
	fclose(f);
	explicit_bzero(chunk, sizeof(chunk));
	return err;
}

/* Called with each PEM object: its label and its DER bytes. */
typedef const char *(*tls_conf_object_fn)(void *arg, const char *label,
    const unsigned char *der, size_t len);

/*
 * Each PEM object of buf to fn, in order; NULL, fn's refusal, or why buf
 * is not PEM. A file whose last line has no newline still ends its last
 * object (BearSSL's decoder wants the newline).
 */
static const char *
tls_conf_pem(const unsigned char *buf, size_t len, tls_conf_object_fn fn,
    void *arg)
{
	br_pem_decoder_context pc;
	struct tls_conf_blob obj = { 0 };
	char label[128] = "";
	const char *err = NULL;
	bool in = false, tail = false;

	br_pem_decoder_init(&pc);
	while (err == NULL && (len > 0 || !tail)) {
		size_t n;

		if (len == 0) {
			buf = (const unsigned char *)"\n";
			len = 1;
			tail = true;
		}
		n = br_pem_decoder_push(&pc, buf, len);
		buf += n;
		len -= n;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			snprintf(label, sizeof(label), "%s",
			    br_pem_decoder_name(&pc));
			obj.len = 0;
			in = true;
			br_pem_decoder_setdest(&pc, tls_conf_blob_append, &obj);
			break;
		case BR_PEM_END_OBJ:
			if (in && obj.failed)
				err = "out of memory";
			else if (in)
				err = fn(arg, label, obj.data, obj.len);
			in = false;
			break;
		case BR_PEM_ERROR:
			err = "is not valid PEM";
			break;
		}
	}
	if (err == NULL && in)
		err = "ends inside a PEM object";
	tls_conf_blob_free(&obj);
	return err;
}

static void
tls_conf_anchor_free(br_x509_trust_anchor *ta)
{
	free(ta->dn.data);
	if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
		free(ta->pkey.key.rsa.n);
		free(ta->pkey.key.rsa.e);
	} else
		free(ta->pkey.key.ec.q);
}

static unsigned char *
tls_conf_dup(const unsigned char *p, size_t len)
{
	unsigned char *q = malloc(len ? len : 1);

	if (q)
		memcpy(q, p, len);
	return q;
}

/*
 * One CERTIFICATE object as an anchor: its subject name and its key,
 * copied (the decoder's are gone with it). Objects of other labels and
 * certificates BearSSL cannot read are passed over: a system bundle may
 * hold a key type BearSSL has no code for, and one such must not refuse
 * the rest. NULL unless out of memory.
 */
static const char *
tls_conf_anchor(void *arg, const char *label, const unsigned char *der,
    size_t len)
{
	struct tls_anchors *a = arg;
	struct tls_conf_blob dn = { 0 };
	br_x509_decoder_context dc;
	br_x509_trust_anchor ta;
	const br_x509_pkey *pk;
	bool ok;

	if (strcmp(label, "CERTIFICATE") != 0 &&
	    strcmp(label, "X509 CERTIFICATE") != 0 &&
	    strcmp(label, "TRUSTED CERTIFICATE") != 0)
		return NULL;
	br_x509_decoder_init(&dc, tls_conf_blob_append, &dn);
	br_x509_decoder_push(&dc, der, len);
	if ((pk = br_x509_decoder_get_pkey(&dc)) == NULL || dn.failed) {
		tls_conf_blob_free(&dn);
		return dn.failed ? "out of memory" : NULL;
	}
	memset(&ta, 0, sizeof(ta));
	ta.dn.data = dn.data;
	ta.dn.len = dn.len;
	ta.flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta.pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta.pkey.key.rsa.n = tls_conf_dup(pk->key.rsa.n, pk->key.rsa.nlen);
		ta.pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta.pkey.key.rsa.e = tls_conf_dup(pk->key.rsa.e, pk->key.rsa.elen);
		ta.pkey.key.rsa.elen = pk->key.rsa.elen;
		ok = ta.pkey.key.rsa.n && ta.pkey.key.rsa.e;
	} else {
		ta.pkey.key.ec.curve = pk->key.ec.curve;
		ta.pkey.key.ec.q = tls_conf_dup(pk->key.ec.q, pk->key.ec.qlen);
		ta.pkey.key.ec.qlen = pk->key.ec.qlen;
		ok = ta.pkey.key.ec.q != NULL;
	}
	if (ok && a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		br_x509_trust_anchor *p = realloc(a->ta, cap * sizeof(*p));

		if (p) {
			a->ta = p;
			a->cap = cap;
		} else
			ok = false;
	}
	if (!ok) {
		tls_conf_anchor_free(&ta);
		return "out of memory";
	}
	a->ta[a->n++] = ta;
	return NULL;
}

static void
tls_conf_anchors_free(struct tls_anchors *a)
{
	struct tls_anchors **pp;

	if (a == NULL || --a->refs > 0)
		return;
	for (pp = &tls_conf_loaded; *pp; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	for (size_t i = 0; i < a->n; i++)
		tls_conf_anchor_free(&a->ta[i]);
	free(a->ta);
	free(a->path);
	free(a);
}

/* The anchors in path, read now or shared; NULL with why. */
static struct tls_anchors *
tls_conf_anchors(const char *path, const char *param, char *why,
    size_t whylen)
{
	struct tls_conf_blob file = { 0 };
	struct tls_anchors *a;
	const char *err;

	for (a = tls_conf_loaded; a; a = a->next)
		if (strcmp(a->path, path) == 0) {
			a->refs++;
			return a;
		}
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->path = strdup(path)) == NULL) {
		free(a);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	a->refs = 1;
	if ((err = tls_conf_read(path, &file)) != NULL ||
	    (err = tls_conf_pem(file.data, file.len, tls_conf_anchor,
	    a)) != NULL || (a->n == 0 && (err = "holds no certificate "
	    "BearSSL can read") != NULL)) {
		snprintf(why, whylen, "%s%s: %s", param, path, err);
		tls_conf_blob_free(&file);
		a->next = NULL;
		tls_conf_anchors_free(a);
		return NULL;
	}
	tls_conf_blob_free(&file);
	a->next = tls_conf_loaded;
	tls_conf_loaded = a;
	return a;
}

/* A CERTIFICATE object of the client's chain, copied. */
static const char *
tls_conf_chain_cert(void *arg, const char *label, const unsigned char *der,
    size_t len)
{
	struct tls_conf *c = arg;
	br_x509_certificate *p;

	if (strcmp(label, "CERTIFICATE") != 0 &&
	    strcmp(label, "X509 CERTIFICATE") != 0)
		return NULL;
	if ((p = realloc(c->chain, (c->nchain + 1) * sizeof(*p))) == NULL)
		return "out of memory";
	c->chain = p;
	if ((p[c->nchain].data = tls_conf_dup(der, len)) == NULL)
		return "out of memory";
	p[c->nchain++].data_len = len;
	return NULL;
}

/* The first private key object: BearSSL decodes RSA, EC and PKCS#8. */
static const char *
tls_conf_key_object(void *arg, const char *label, const unsigned char *der,
    size_t len)
{
	struct tls_conf *c = arg;

	if (c->has_key || strstr(label, "PRIVATE KEY") == NULL)
		return NULL;
	if (strstr(label, "ENCRYPTED"))
		return "holds an encrypted key: give it unencrypted "
		    "(openssl pkey -in KEY -out PLAIN)";
	br_skey_decoder_init(&c->key);
	br_skey_decoder_push(&c->key, der, len);
	if (br_skey_decoder_last_error(&c->key) != 0)
		return "holds a private key BearSSL cannot read";
	c->has_key = true;
	return NULL;
}

/* The client's chain and key; NULL or why, naming the file. */
static const char *
tls_conf_client(struct tls_conf *c, const char *cert, const char *key,
    char *why, size_t whylen)
{
	struct tls_conf_blob file = { 0 };
	br_x509_decoder_context dc;
	const char *err;

	if ((err = tls_conf_read(cert, &file)) == NULL &&
	    (err = tls_conf_pem(file.data, file.len, tls_conf_chain_cert,
	    c)) == NULL && c->nchain == 0)
		err = "holds no certificate";
	tls_conf_blob_free(&file);
	if (err) {
		snprintf(why, whylen, "cert=%s: %s", cert, err);
		return why;
	}
	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, c->chain[0].data, c->chain[0].data_len);
	if (br_x509_decoder_get_pkey(&dc) == NULL) {
		snprintf(why, whylen, "cert=%s: its first certificate is not "
		    "one BearSSL can read", cert);
		return why;
	}
	c->issuer_key_type = br_x509_decoder_get_signer_key_type(&dc);
	memset(&file, 0, sizeof(file));
	if ((err = tls_conf_read(key, &file)) == NULL &&
	    (err = tls_conf_pem(file.data, file.len, tls_conf_key_object,
	    c)) == NULL && !c->has_key)
		err = "holds no private key";
	tls_conf_blob_free(&file);
	if (err) {
		snprintf(why, whylen, "key=%s: %s", key, err);
		return why;
	}
	return NULL;
}

const char *
tls_conf_system_bundle(void)
{
	const char *env = getenv("SSL_CERT_FILE");

	/* OpenSSL's variable: what a user of a scratch image sets. */
	if (env && env[0])
		return env;
	for (size_t i = 0; i < sizeof(tls_conf_bundles) /
	    sizeof(tls_conf_bundles[0]); i++)
		if (access(tls_conf_bundles[i], R_OK) == 0)
			return tls_conf_bundles[i];
	return NULL;
}

struct tls_conf *
tls_conf_new(const char *ca, const char *cert, const char *key,
    bool insecure, char *why, size_t whylen)
{
	struct tls_conf *c;
	const char *param = "ca=";

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	c->insecure = insecure;
	if (!insecure && ca == NULL) {
		param = "the system's CA bundle ";
		if ((ca = tls_conf_system_bundle()) == NULL) {
			snprintf(why, whylen, "no CA bundle to verify with: "
			    "none at %s, %s, %s or %s, and SSL_CERT_FILE is "
			    "not set (mount one, or give ca=FILE or insecure)",
			    tls_conf_bundles[0], tls_conf_bundles[1],
			    tls_conf_bundles[2], tls_conf_bundles[3]);
			goto fail;
		}
	}
	if (!insecure &&
	    (c->anchors = tls_conf_anchors(ca, param, why, whylen)) == NULL)
		goto fail;
	if (cert && key && tls_conf_client(c, cert, key, why, whylen))
		goto fail;
	return c;
fail:
	tls_conf_free(c);
	return NULL;
}

void
tls_conf_free(struct tls_conf *c)
{
	if (c == NULL)
		return;
	tls_conf_anchors_free(c->anchors);
	for (size_t i = 0; i < c->nchain; i++)
		free(c->chain[i].data);
	free(c->chain);
	explicit_bzero(&c->key, sizeof(c->key));
	free(c);
}

bool
tls_conf_insecure(const struct tls_conf *c)
{
	return c->insecure;
}

void
tls_conf_apply(const struct tls_conf *c, br_ssl_client_context *cc,
    br_x509_minimal_context *xc)
{
	const br_rsa_private_key *rsa;
	const br_ec_private_key *ec;

	br_ssl_client_init_full(cc, xc, c->anchors ? c->anchors->ta : NULL,
	    c->anchors ? c->anchors->n : 0);
	if (!c->has_key)
		return;
	if ((rsa = br_skey_decoder_get_rsa(&c->key)) != NULL)
		br_ssl_client_set_single_rsa(cc, c->chain, c->nchain, rsa,
		    br_rsa_pkcs1_sign_get_default());
	else if ((ec = br_skey_decoder_get_ec(&c->key)) != NULL)
		br_ssl_client_set_single_ec(cc, c->chain, c->nchain, ec,
		    BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN, c->issuer_key_type,
		    br_ec_get_default(), br_ecdsa_sign_asn1_get_default());
}
