package transfergraph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoograph/zoograph/store"
)

// parsers runs each file parser over data and returns how many rows it
// kept; the tests and fuzz targets share it.
var parsers = map[string]func(ctx context.Context, data []byte, ps *problems) (int, error){
	"records/image": func(ctx context.Context, data []byte, ps *problems) (int, error) {
		rs, err := parseRecords(ctx, data, layouts[TaskImage], ps)
		return len(rs), err
	},
	"records/text": func(ctx context.Context, data []byte, ps *problems) (int, error) {
		rs, err := parseRecords(ctx, data, layouts[TaskText], ps)
		return len(rs), err
	},
	"config/image": func(ctx context.Context, data []byte, ps *problems) (int, error) {
		rs, err := parseConfig(ctx, data, layouts[TaskImage], ps)
		return len(rs), err
	},
	"config/text": func(ctx context.Context, data []byte, ps *problems) (int, error) {
		rs, err := parseConfig(ctx, data, layouts[TaskText], ps)
		return len(rs), err
	},
	"scores": func(ctx context.Context, data []byte, ps *problems) (int, error) {
		rs, err := parseScores(ctx, data, layouts[TaskImage], ps)
		return len(rs), err
	},
	"features": func(ctx context.Context, data []byte, ps *problems) (int, error) {
		rs, err := parseFeatures(ctx, data, layouts[TaskImage], ps)
		return len(rs), err
	},
	"distances": func(ctx context.Context, data []byte, ps *problems) (int, error) {
		_, rs, err := parseDistances(ctx, data, "dist.csv", layouts[TaskImage], ps)
		return len(rs), err
	},
	"results": func(ctx context.Context, data []byte, ps *problems) (int, error) {
		rs, err := parseResults(ctx, data, "result_analysis/pearson_correlation.csv", "pearson", layouts[TaskImage], ps)
		return len(rs), err
	},
}

const (
	imageRecordsHeader = ",model,finetuned_dataset,epochs,batch_size,lr,train_slice,val_slice,test_slice,elapsed_time,train_runtime,train_loss,eval_loss,eval_accuracy,input_shape\n"
	imageRecordsRow    = "0,google/vit-base-patch16-224,cifar100,30,64,0.01,:0.7,0.7:0.9,0.7:1,8622.996,8622.996,,,0.9172666668891908,\n"
	textRecordsHeader  = ",model,finetuned_dataset,model_name,dataset_name,task_type,batch_size,lr_scheduler_type,learning_rate,gradient_accumulation_steps,num_train_epochs,seed,dataset_path,train_runtime,eval_accuracy,push_to_hub,hub_model_id,push_to_hub_organization,hub_token,peft_method,lora_attention_dimension,lora_alpha,lora_dropout,lora_bias\n"
	textRecordsRow     = "0,bert-base-uncased,glue/sst2,bert-base-uncased,sst2,sequence_classification,16.0,linear,2e-05,1.0,5.0,42.0,glue,419.1,0.91,True,,TransferGraph,,,,,,\n"
	scoresHeader       = ",model_name,dataset_path,dataset_name,task_type,batch_size,metric,model,target_dataset,runtime,score\n"
	scoresRow          = "0,a/b,pets,,TaskType.IMAGE_CLASSIFICATION,16,TransferabilityMethod.LOG_ME,a/b,pets,20.1,0.89\n"
	imageConfigHeader  = "model,input_shape,output_shape,architectures,task,dataset,#labels,labels,task_specific_params,problem_type,finetuning_task,accuracy,model_type,number_of_parameters,memory_consumption\n"
	imageConfigRow     = "a/b,224.0,768.0,['ViTForImageClassification'],,hfpics,2.0,\"['x', 'y']\",,,,1.0,vit,85800194.0,1571600896\n"
	textConfigHeader   = ",model,architectures,number_of_labels,labels,model_type,number_of_parameters,memory_consumption,dataset,accuracy\n"
	featuresHeader     = "finetune_dataset,size,number_of_classes\n"
	distancesHeader    = ",a,b\n"
	resultsHeader      = ",pets,dtd,average\n"
)

// TestMalformedRows covers every class of malformed row in default mode
// (skipped and reported) and strict mode (an error naming file and line).
func TestMalformedRows(t *testing.T) {
	tests := []struct {
		name     string
		parser   string
		data     string
		kind     string
		line     int
		reason   string // substring of Problem.Reason
		wantRows int    // rows kept in default mode
	}{
		{"short line/scores truncated", "scores", scoresHeader + scoresRow + "s/vit-small-patch16-224,stanfordcars,61.3,21.8\n" + scoresRow,
			KindShortLine, 3, `4 fields, header has 11 (no column "metric")`, 2},
		{"short line/records without peft_method", "records/text", textRecordsHeader + "0,a/b,glue/sst2,a/b,sst2,sequence_classification,16.0,linear,2e-05,1.0,5.0,42.0,glue,419.1,0.91,True,,TransferGraph\n",
			KindShortLine, 2, `18 fields, header has 24 (no column "peft_method")`, 0},
		{"short line/config missing metadata", "config/text", textConfigHeader + "0,a/b,BertForSequenceClassification,2\n",
			KindShortLine, 2, `no column "model_type"`, 0},
		{"short line/distances", "distances", distancesHeader + "a,0\nb,1,0\n", KindShortLine, 2, "2 fields, header has 3", 2},
		{"short line/results", "results", resultsHeader + "LogME,0.1\n", KindShortLine, 2, "", 0},
		{"long line/records", "records/image", imageRecordsHeader + strings.TrimSuffix(imageRecordsRow, "\n") + ",extra\n" + imageRecordsRow,
			KindLongLine, 2, "16 fields, header has 15", 1},
		{"long line/distances", "distances", distancesHeader + "a,0,1,2\nb,1,0\n", KindLongLine, 2, "", 2},
		{"bad number/accuracy", "records/image", imageRecordsHeader + strings.Replace(imageRecordsRow, "0.9172666668891908", "0.9x", 1),
			KindBadNumber, 2, `column "eval_accuracy" is "0.9x"`, 0},
		{"bad number/batch size not integral", "records/text", textRecordsHeader + strings.Replace(textRecordsRow, "16.0", "16.5", 1),
			KindBadNumber, 2, `column "batch_size" is "16.5", want an integer`, 0},
		{"bad number/score", "scores", scoresHeader + strings.Replace(scoresRow, "0.89", "high", 1), KindBadNumber, 2, `"score"`, 0},
		{"bad number/parameters", "config/image", imageConfigHeader + strings.Replace(imageConfigRow, "85800194.0", "85M", 1),
			KindBadNumber, 2, `"number_of_parameters"`, 0},
		{"bad number/features", "features", featuresHeader + "pets,many,37\ndtd,1880,47\n", KindBadNumber, 2, `"size"`, 1},
		{"bad number/distance", "distances", distancesHeader + "a,0,x\nb,1,0\n", KindBadNumber, 2, `column "b" is "x"`, 2},
		{"bad number/result", "results", resultsHeader + "LogME,0.1,abc,0.3\nrandom,0.1,0.2,0.3\n", KindBadNumber, 2, `"dtd"`, 3},
		{"missing value/score", "scores", scoresHeader + strings.Replace(scoresRow, ",0.89", ",", 1), KindMissingValue, 2, `"score" is empty`, 0},
		{"missing value/distance", "distances", distancesHeader + "a,0,\nb,1,0\n", KindMissingValue, 2, "", 2},
		{"empty key/model", "records/image", imageRecordsHeader + strings.Replace(imageRecordsRow, "google/vit-base-patch16-224", "", 1),
			KindEmptyKey, 2, `column "model" is empty`, 0},
		{"empty key/dataset", "scores", scoresHeader + strings.Replace(scoresRow, "a/b,pets,20.1", "a/b,,20.1", 1), KindEmptyKey, 2, `"target_dataset"`, 0},
		{"empty key/feature", "features", featuresHeader + ",10,2\n", KindEmptyKey, 2, "", 0},
		{"empty key/distance row", "distances", distancesHeader + ",0,1\nb,1,0\n", KindEmptyKey, 2, "", 2},
		{"empty key/result method", "results", resultsHeader + ",0.1,0.2,0.3\n", KindEmptyKey, 2, "", 0},
		{"unknown metric", "scores", scoresHeader + strings.Replace(scoresRow, "LOG_ME", "LEEP", 1), KindUnknownMetric, 2, `"TransferabilityMethod.LEEP"`, 0},
		{"unknown metric/other prefix", "scores", scoresHeader + strings.Replace(scoresRow, "TransferabilityMethod.LOG_ME", "Foo.LOG_ME", 1), KindUnknownMetric, 2, "", 0},
		{"fragment/numeric model", "records/text", textRecordsHeader + textRecordsRow + "32,0.1,none\n", KindFragment, 3, `column "model" is "0.1"`, 1},
		{"fragment/keyword dataset", "records/text", textRecordsHeader + ",,lora,16,32,0.1,none\n" + textRecordsRow, KindFragment, 2, `column "finetuned_dataset" is "lora"`, 1},
		{"fragment/full width", "records/text", textRecordsHeader + ",1.0,0.1,,,,,,,,,,,,,,,,,,,,,\n", KindFragment, 2, `"1.0"`, 0},
		{"fragment/distance row", "distances", distancesHeader + "0.5,0,1\nb,1,0\n", KindFragment, 2, "", 2},
		{"bad value/peft method", "records/text", textRecordsHeader + strings.Replace(textRecordsRow, ",TransferGraph,,,", ",TransferGraph,,prefix,", 1),
			KindBadValue, 2, `column "peft_method" is "prefix"`, 0},
		{"bad value/architectures", "config/image", imageConfigHeader + strings.Replace(imageConfigRow, "['ViTForImageClassification']", "['ViT", 1),
			KindBadValue, 2, "unterminated list", 0},
		{"bad value/distance row not in header", "distances", distancesHeader + "c,0,1\nb,1,0\n", KindBadValue, 2, `"c" is not in the header`, 2},
		{"duplicate/model", "config/image", imageConfigHeader + imageConfigRow + imageConfigRow, KindDuplicate, 3, "already on line 2", 1},
		{"duplicate/dataset", "features", featuresHeader + "pets,3680,37\npets,3680,37\n", KindDuplicate, 3, "", 1},
		{"duplicate/result method", "results", resultsHeader + "LogME,0.1,0.2,0.3\nLogME,0.1,0.2,0.3\n", KindDuplicate, 3, "", 3},
		{"csv syntax/bare quote", "scores", scoresHeader + "0,a/b,pets,,x\"y,16,TransferabilityMethod.LOG_ME,a/b,pets,20.1,0.89\n" + scoresRow,
			KindCSV, 2, "bare", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := parsers[tt.parser]
			ps := &problems{log: discard()}
			n, err := parse(context.Background(), []byte(tt.data), ps)
			if err != nil {
				t.Fatalf("default mode: %v", err)
			}
			if n != tt.wantRows {
				t.Errorf("default mode kept %d rows, want %d", n, tt.wantRows)
			}
			if len(ps.list) != 1 {
				t.Fatalf("default mode: problems %+v, want one", ps.list)
			}
			p := ps.list[0]
			if p.Kind != tt.kind || p.Line != tt.line || !strings.Contains(p.Reason, tt.reason) || !strings.HasPrefix(p.Reason, tt.kind+": ") {
				t.Errorf("problem = %+v, want kind %q, line %d, reason containing %q", p, tt.kind, tt.line, tt.reason)
			}

			_, err = parse(context.Background(), []byte(tt.data), &problems{strict: true, log: discard()})
			var sp Problem
			if !errors.As(err, &sp) {
				t.Fatalf("strict mode: err = %v, want a Problem", err)
			}
			if sp != p {
				t.Errorf("strict mode: problem %+v, want %+v", sp, p)
			}
			if want := p.File + ":"; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("strict error %q does not start with %q", err, want)
			}
		})
	}
}

// TestWellFormedEdgeCases covers rows that look odd but are valid.
func TestWellFormedEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		parser   string
		data     string
		wantRows int
	}{
		{"config row without its last field", "config/text", textConfigHeader + "3,a/b,DistilBertForSequenceClassification,2,\"['NEGATIVE', 'POSITIVE']\",distilbert,62172,271872,glue/sst2\n", 1},
		{"records without trailing lora columns", "records/text", textRecordsHeader + "0,a/b,glue/sst2,a/b,sst2,sequence_classification,32.0,linear,4e-4,1.0,4.0,42.0,glue,419.1,0.91,True,,TransferGraph,,lora,16\n", 1},
		{"records without eval_accuracy", "records/image", imageRecordsHeader + strings.Replace(imageRecordsRow, "0.9172666668891908", "", 1), 1},
		{"score of nan and inf", "scores", scoresHeader + strings.Replace(scoresRow, "0.89", "nan", 1) + strings.Replace(scoresRow, "0.89", "-inf", 1), 2},
		{"score metric of the old enum", "scores", scoresHeader + strings.Replace(scoresRow, "TransferabilityMethod.LOG_ME", "TransferabilityMetric.REG_H_SCORE", 1), 1},
		{"BOM and CRLF", "features", "\ufefffinetune_dataset,size,number_of_classes\r\npets,3680,37\r\n", 1},
		{"empty result cell", "results", resultsHeader + "LogME,0.1,,0.3\n", 2},
		{"header only", "distances", distancesHeader, 0},
		{"distance mirror fills a skipped row", "distances", ",a,b,c\na,0,1,2\nb,1,0,3\n", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := &problems{strict: true, log: discard()}
			n, err := parsers[tt.parser](context.Background(), []byte(tt.data), ps)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.wantRows {
				t.Errorf("kept %d rows, want %d", n, tt.wantRows)
			}
		})
	}
}

// TestImpossibleAccuracy checks that an accuracy outside [0, 1] or not
// finite is an error naming the file and line, in default mode too: the
// benchmark holds none, so one is a damaged file, never a row to skip.
func TestImpossibleAccuracy(t *testing.T) {
	tests := []struct {
		name, parser, data, want string
	}{
		{"above one", "records/image", imageRecordsHeader + imageRecordsRow + strings.Replace(imageRecordsRow, "0.9172666668891908", "1.7", 1), `records.csv:3:14: bad value: column "eval_accuracy" is 1.7`},
		{"negative", "records/image", imageRecordsHeader + strings.Replace(imageRecordsRow, "0.9172666668891908", "-0.5", 1), `records.csv:2:14: bad value: column "eval_accuracy" is -0.5`},
		{"inf", "records/text", textRecordsHeader + strings.Replace(textRecordsRow, ",0.91,", ",inf,", 1), `records.csv:2:15: bad value: column "eval_accuracy" is inf`},
		{"NaN", "records/text", textRecordsHeader + strings.Replace(textRecordsRow, ",0.91,", ",NaN,", 1), `records.csv:2:15: bad value: column "eval_accuracy" is NaN`},
		{"percent in config", "config/image", imageConfigHeader + strings.Replace(imageConfigRow, ",1.0,vit,", ",85.3,vit,", 1), `model_config_dataset.csv:2:12: bad value: column "accuracy" is 85.3`},
	}
	for _, tt := range tests {
		for _, strict := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/strict=%v", tt.name, strict), func(t *testing.T) {
				ps := &problems{strict: strict, log: discard()}
				_, err := parsers[tt.parser](context.Background(), []byte(tt.data), ps)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error %v, want one containing %q", err, tt.want)
				}
				if !errors.Is(err, store.ErrAccuracy) {
					t.Errorf("error %v does not wrap store.ErrAccuracy", err)
				}
			})
		}
	}
}

// TestNonFiniteNumbers: nan, inf and -inf, which strconv.ParseFloat
// accepts and Python writes, are bad numbers wherever a number is read but
// in a transferability score (TestWellFormedEdgeCases); the files say
// "unknown" with an empty field. The row is skipped and reported, and in
// strict mode it is the error, naming file, line and column, as the
// model-recycling importer does.
func TestNonFiniteNumbers(t *testing.T) {
	tests := []struct {
		name, parser, data string
		want               string // the strict error
		wantRows           int    // rows kept in default mode
	}{
		{"score runtime Infinity", "scores", scoresHeader + strings.Replace(scoresRow, "20.1", "Infinity", 1),
			`transferability_score_records.csv:2:10: bad number: column "runtime" is "Infinity", want a finite number`, 0},
		{"learning rate NaN", "records/text", textRecordsHeader + strings.Replace(textRecordsRow, "2e-05", "NaN", 1),
			`records.csv:2:9: bad number: column "learning_rate" is "NaN", want a finite number`, 0},
		{"train runtime inf", "records/image", imageRecordsHeader + strings.Replace(imageRecordsRow, ",8622.996,,", ",inf,,", 1),
			`records.csv:2:11: bad number: column "train_runtime" is "inf", want a finite number`, 0},
		{"distance inf", "distances", distancesHeader + "a,0,inf\nb,1,0\n",
			`dist.csv:2:3: bad number: column "b" is "inf", want a finite number`, 2},
		{"result nan", "results", resultsHeader + "LogME,0.1,nan,0.3\nrandom,0.1,0.2,0.3\n",
			`result_analysis/pearson_correlation.csv:2:3: bad number: column "dtd" is "nan", want a finite number`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := &problems{log: discard()}
			n, err := parsers[tt.parser](context.Background(), []byte(tt.data), ps)
			if err != nil {
				t.Fatalf("default mode: %v", err)
			}
			if n != tt.wantRows || len(ps.list) != 1 || ps.list[0].Kind != KindBadNumber {
				t.Errorf("default mode kept %d rows with problems %+v, want %d rows and one bad number", n, ps.list, tt.wantRows)
			}
			_, err = parsers[tt.parser](context.Background(), []byte(tt.data), &problems{strict: true, log: discard()})
			if err == nil || err.Error() != tt.want {
				t.Errorf("strict mode: err = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestParseRecordsValues(t *testing.T) {
	ps := &problems{strict: true, log: discard()}
	data := textRecordsHeader + textRecordsRow +
		strings.Replace(textRecordsRow, ",TransferGraph,,,", ",TransferGraph,,LoRA,", 1) +
		strings.Replace(textRecordsRow, ",TransferGraph,,,", ",TransferGraph,,lor,", 1) +
		textRecordsRow
	got, err := parseRecords(context.Background(), []byte(data), layouts[TaskText], ps)
	if err != nil {
		t.Fatal(err)
	}
	type run struct {
		method string
		run    int64
	}
	var runs []run
	for _, f := range got {
		runs = append(runs, run{f.Method, f.Run})
	}
	want := []run{{"full", 0}, {"lora", 0}, {"lora", 1}, {"full", 1}}
	if diff := cmp.Diff(want, runs, cmp.AllowUnexported(run{})); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	f := got[0]
	if f.BatchSize != 16 || f.LearningRate != 2e-5 || f.Epochs != 5 || f.Seed != 42 || f.TrainSeconds != 419.1 || f.Accuracy != 0.91 {
		t.Errorf("values = %+v", f)
	}
}

func TestParseScoresNaN(t *testing.T) {
	ps := &problems{log: discard()}
	got, err := parseScores(context.Background(), []byte(scoresHeader+strings.Replace(scoresRow, "20.1", "", 1)), layouts[TaskImage], ps)
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v", got, err)
	}
	if !math.IsNaN(got[0].RuntimeSeconds) {
		t.Errorf("empty runtime = %v, want NaN (null)", got[0].RuntimeSeconds)
	}
}

func TestParsePyList(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"", []string{}, false},
		{"[]", []string{}, false},
		{"['ViTForImageClassification']", []string{"ViTForImageClassification"}, false},
		{`['A', "B's", 'C\'D']`, []string{"A", "B's", "C'D"}, false},
		{" [ 'a' , 'b' ] ", []string{"a", "b"}, false},
		{"BertForSequenceClassification", []string{"BertForSequenceClassification"}, false},
		{"['a'", nil, true},
		{"['a' 'b']", nil, true},
		{"[a]", nil, true},
		{"['a]", nil, true},
		{"x'y", nil, true},
	}
	for _, tt := range tests {
		got, err := parsePyList(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parsePyList(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); !tt.wantErr && diff != "" {
			t.Errorf("parsePyList(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestScoreMethod(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"TransferabilityMethod.LOG_ME", "logme", true},
		{"TransferabilityMethod.REG_H_SCORE", "reg_h_score", true},
		{"TransferabilityMetric.LOG_ME", "logme", true},
		{"LOG_ME", "logme", true},
		{"reg_h_score", "reg_h_score", true},
		{"TransferabilityMethod.LEEP", "", false},
		{"Other.LOG_ME", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := scoreMethod(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("scoreMethod(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDetectTask(t *testing.T) {
	tests := []struct {
		header  string
		want    string
		wantErr bool
	}{
		{imageRecordsHeader, TaskImage, false},
		{textRecordsHeader, TaskText, false},
		{"a,b,c", "", true},
	}
	for _, tt := range tests {
		got, err := detectTask(strings.Split(strings.TrimSpace(tt.header), ","))
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("detectTask(%.30q) = %q, %v; want %q, error %v", tt.header, got, err, tt.want, tt.wantErr)
		}
	}
}
