// Command client-data-collection-service stores lead details captured by the
// chatbot widget and asks Azure OpenAI for a one-line summary of each lead.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

const azureOpenAIEndpoint = "https://askgalore-france-central.openai.azure.com/"
const azureOpenAIKey = "07e62adba8a34e43969f5c21e2e797e9"
const deployment = "gpt-35-turbo"

type lead struct {
	Name      string `json:"name"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	ProjectID string `json:"project_id"`
	Notes     string `json:"notes"`
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

func summarize(l lead) (string, error) {
	body, err := json.Marshal(map[string]any{
		"messages": []map[string]string{
			{"role": "system", "content": "Summarize this sales lead in one line."},
			{"role": "user", "content": fmt.Sprintf("%s <%s>: %s", l.Name, l.Email, l.Notes)},
		},
		"max_tokens": 60,
	})
	if err != nil {
		return "", err
	}
	url := azureOpenAIEndpoint + "openai/deployments/" + deployment + "/chat/completions?api-version=2024-02-15-preview"
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("api-key", azureOpenAIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("azure openai: status %d", resp.StatusCode)
	}
	var out struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	if len(out.Choices) == 0 {
		return "", fmt.Errorf("azure openai: empty response")
	}
	return out.Choices[0].Message.Content, nil
}

func collect(w http.ResponseWriter, r *http.Request) {
	var l lead
	if err := json.NewDecoder(r.Body).Decode(&l); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	summary, err := summarize(l)
	if err != nil {
		log.Printf("summary failed for %s: %v", l.ProjectID, err)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"status": "success", "summary": summary})
}

func main() {
	addr := ":" + os.Getenv("PORT")
	if addr == ":" {
		addr = ":8030"
	}
	http.HandleFunc("/v2/collect-client-data", collect)
	log.Printf("client-data-collection-service listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
