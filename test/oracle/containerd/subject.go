package main

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"net/http"
	"reflect"
	"unsafe"
)

// commonName of a DER-encoded subject (the generated CAs are named by their CN).
func commonName(raw []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return "?"
	}
	var name pkix.Name
	name.FillFromRDNSequence(&seq)
	return name.CommonName
}

// unwrapFallback reads the transport inside 1.7's unexported httpFallback{super}.
func unwrapFallback(rt http.RoundTripper) *http.Transport {
	v := reflect.ValueOf(rt)
	if v.Kind() != reflect.Ptr || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("super")
	if !f.IsValid() {
		return nil
	}
	inner := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface()
	tr, _ := inner.(*http.Transport)
	return tr
}
