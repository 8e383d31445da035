package pipeline_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/store"
	"github.com/zoograph/zoograph/store/storetest"
)

// realCardsZoo crawls, with the real crawler and cards on, a replica of the
// Hub serving the 439 real model cards of
// ../shared/hub-fixtures/cards/real-model-index-sample (under the repo id
// their file name gives) and the 35 real recorded model details of
// hub-fixtures/api/models-detail (base models such as
// google/vit-base-patch16-224 and google-bert/bert-base-uncased). The Hub
// derives a model's pipeline tag from its config, which the sample lacks;
// the replica serves the task of the card's first model-index result
// instead. The zoo is made once per test binary and must not be modified.
func realCardsZoo(t testing.TB) (dir string, tables *store.Tables) {
	t.Helper()
	cardsDir := storetest.Shared(t, "hub-fixtures/cards/real-model-index-sample")
	details := storetest.SharedFiles(t, "hub-fixtures/api", "models-detail/*.json")
	realZoo.once.Do(func() {
		realZoo.dir, realZoo.err = crawlRealCards(cardsDir, details)
		if realZoo.err == nil {
			realZoo.tables, _, realZoo.err = store.ReadZoo(realZoo.dir)
		}
	})
	if realZoo.err != nil {
		t.Fatal(realZoo.err)
	}
	return realZoo.dir, realZoo.tables
}

// TestMain removes the real-cards zoo after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if realZoo.dir != "" {
		os.RemoveAll(realZoo.dir)
	}
	os.Exit(code)
}

var realZoo struct {
	once   sync.Once
	dir    string
	tables *store.Tables
	err    error
}

func crawlRealCards(cardsDir string, details map[string][]byte) (string, error) {
	var idx struct {
		Files []struct {
			File    string `json:"file"`
			RepoID  string `json:"guessed_repo_id"`
			Message string `json:"category"`
		} `json:"files"`
	}
	b, err := os.ReadFile(filepath.Join(cardsDir, "index.json"))
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return "", err
	}
	h := hubtest.New(hubtest.Options{Seed: 1})
	for _, f := range idx.Files {
		readme, err := os.ReadFile(filepath.Join(cardsDir, filepath.FromSlash(f.File)))
		if err != nil {
			return "", err
		}
		repo := hubtest.Repo{ID: f.RepoID, Card: readme, Tags: []string{}}
		if fm, ok := frontMatter(readme); ok {
			var cd map[string]any
			if yaml.Unmarshal(fm, &cd) == nil && cd != nil {
				repo.CardData = cd
				repo.PipelineTag = firstTask(cd)
			}
		}
		if err := h.AddModel(repo); err != nil {
			return "", err
		}
	}
	for name, body := range details {
		var rec struct {
			Response struct {
				BodyRaw string `json:"body_raw"`
			} `json:"response"`
		}
		if err := json.Unmarshal(body, &rec); err != nil {
			return "", err
		}
		repo, err := hubtest.RepoFromJSON([]byte(rec.Response.BodyRaw))
		if err != nil {
			return "", err
		}
		if repo.ID == "" {
			continue
		}
		_ = name
		if err := h.AddModel(repo); err != nil {
			return "", err
		}
	}
	url, stop, err := h.Start()
	if err != nil {
		return "", err
	}
	defer stop()
	dir, err := os.MkdirTemp("", "zoograph-realcards-")
	if err != nil {
		return "", err
	}
	opt := crawler.DefaultOptions(crawler.KindModels, dir)
	opt.Endpoint, opt.Quota, opt.Cards, opt.Workers = url, hub.Quota{Off: true}, true, 4
	if _, err := crawler.Crawl(context.Background(), opt); err != nil {
		return "", err
	}
	return dir, nil
}

// frontMatter cuts the YAML between the --- lines.
func frontMatter(readme []byte) ([]byte, bool) {
	s := strings.TrimLeft(string(readme), "\ufeff \t\r\n")
	rest, ok := strings.CutPrefix(s, "---")
	if !ok {
		return nil, false
	}
	fm, _, ok := strings.Cut(rest, "\n---")
	return []byte(fm), ok
}

// firstTask is the task type of the first model-index result.
func firstTask(cd map[string]any) string {
	mi, _ := cd["model-index"].([]any)
	for _, e := range mi {
		m, _ := e.(map[string]any)
		res, _ := m["results"].([]any)
		for _, r := range res {
			rm, _ := r.(map[string]any)
			task, _ := rm["task"].(map[string]any)
			if s, ok := task["type"].(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}
