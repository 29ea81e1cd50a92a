// Package apivalidation holds the tests that check the generated CRDs
// against a real API server: schema bounds, enums, defaults and CEL rules.
package apivalidation
