// Package logging builds the logr logger every frr-k8s binary uses: a zap
// JSON sink on stdout whose level can change at runtime, with klog routed
// into the same sink.
package logging

import (
	"fmt"
	"os"

	"github.com/go-logr/logr"
	"github.com/go-logr/zapr"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"k8s.io/klog/v2"
)

// Levels accepted by --log-level and FRRK8sConfiguration.spec.logLevel.
const (
	LevelAll   = "all"
	LevelDebug = "debug"
	LevelInfo  = "info"
	LevelWarn  = "warn"
	LevelError = "error"
	LevelNone  = "none"
)

// ValidLevels lists the accepted level names in documentation order.
var ValidLevels = []string{LevelAll, LevelDebug, LevelInfo, LevelWarn, LevelError, LevelNone}

// ParseLevel maps a level name to zap's level. "none" maps to a level above
// every message, so nothing is logged.
func ParseLevel(name string) (zapcore.Level, error) {
	switch name {
	case LevelAll, LevelDebug:
		return zapcore.DebugLevel, nil
	case LevelInfo:
		return zapcore.InfoLevel, nil
	case LevelWarn:
		return zapcore.WarnLevel, nil
	case LevelError:
		return zapcore.ErrorLevel, nil
	case LevelNone:
		return zapcore.FatalLevel + 1, nil
	}
	return zapcore.InfoLevel, fmt.Errorf("invalid log level %q, must be one of %v", name, ValidLevels)
}

// Logger is a logr.Logger plus the handle that changes its level.
type Logger struct {
	logr.Logger
	level zap.AtomicLevel
}

// New builds a JSON logger at the named level writing to stdout.
func New(levelName string) (*Logger, error) {
	return NewWithSink(levelName, zapcore.Lock(os.Stdout))
}

// NewWithSink is New with an explicit destination, for tests.
func NewWithSink(levelName string, out zapcore.WriteSyncer) (*Logger, error) {
	lvl, err := ParseLevel(levelName)
	if err != nil {
		return nil, err
	}
	atomic := zap.NewAtomicLevelAt(lvl)
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.TimeKey = "ts"
	encCfg.EncodeTime = zapcore.ISO8601TimeEncoder
	core := zapcore.NewCore(zapcore.NewJSONEncoder(encCfg), out, atomic)
	z := zap.New(core, zap.AddCaller())
	l := &Logger{Logger: zapr.NewLogger(z), level: atomic}
	klog.SetLogger(l.Logger.WithName("klog"))
	return l, nil
}

// SetLevel changes the level at runtime; "all" counts as "debug".
func (l *Logger) SetLevel(levelName string) error {
	lvl, err := ParseLevel(levelName)
	if err != nil {
		return err
	}
	l.level.SetLevel(lvl)
	return nil
}

// ApplyLevel sets the level and logs the change, or logs why the name was
// refused; it is what the log-level controllers call.
func (l *Logger) ApplyLevel(levelName string) {
	log := l.WithName("loglevel")
	if err := l.SetLevel(levelName); err != nil {
		log.Error(err, "cannot change the log level", "level", levelName)
		return
	}
	log.Info("log level set", "level", levelName)
}

// Level returns the current zap level.
func (l *Logger) Level() zapcore.Level {
	return l.level.Level()
}
