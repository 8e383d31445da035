// Package hub is a typed client of the Hugging Face Hub HTTP API.
package hub
