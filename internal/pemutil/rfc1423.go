package pemutil

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// decryptRFC1423 opens the legacy OpenSSL PEM encryption that step writes
// ("Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-256-CBC,<iv>"): the key is
// derived with OpenSSL's EVP_BytesToKey (MD5, one round, salt = IV[:8]).
// Stride reads it for compatibility and never writes it.
func decryptRFC1423(b *pem.Block, password []byte) ([]byte, error) {
	alg, ivHex, ok := strings.Cut(b.Headers["DEK-Info"], ",")
	if !ok {
		return nil, errors.New("malformed DEK-Info header")
	}
	iv, err := hex.DecodeString(strings.TrimSpace(ivHex))
	if err != nil || len(iv) < 8 {
		return nil, errors.New("malformed DEK-Info IV")
	}
	var newCipher func([]byte) (cipher.Block, error)
	var keyLen int
	switch strings.ToUpper(strings.TrimSpace(alg)) {
	case "AES-128-CBC":
		newCipher, keyLen = aes.NewCipher, 16
	case "AES-192-CBC":
		newCipher, keyLen = aes.NewCipher, 24
	case "AES-256-CBC":
		newCipher, keyLen = aes.NewCipher, 32
	case "DES-EDE3-CBC":
		newCipher, keyLen = des.NewTripleDESCipher, 24
	default:
		return nil, fmt.Errorf("unsupported PEM encryption %q", alg)
	}
	block, err := newCipher(bytesToKey(password, iv[:8], keyLen))
	if err != nil {
		return nil, err
	}
	plain, err := cbcDecrypt(block, iv, b.Bytes)
	if err != nil {
		return nil, err
	}
	if _, err := parseDERKey(plain); err != nil {
		return nil, ErrWrongPassword
	}
	return plain, nil
}

// bytesToKey is OpenSSL's EVP_BytesToKey with MD5 and one iteration.
func bytesToKey(password, salt []byte, keyLen int) []byte {
	var key, prev []byte
	for len(key) < keyLen {
		h := md5.New()
		h.Write(prev)
		h.Write(password)
		h.Write(salt)
		prev = h.Sum(nil)
		key = append(key, prev...)
	}
	return key[:keyLen]
}
