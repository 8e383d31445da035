// Package hubtest is an in-process replica of the Hugging Face Hub HTTP API.
package hubtest
