import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionText, decisionText, localWarning, scaleText, thresholdSourceText, warningText } from '../../main/contract/index.js';

test('warnings read the same in English as before, and in Chinese with the same values', () => {
  assert.equal(warningText('large_age_difference', { years: 20 }, 'en'), 'The ages differ by about 20 years: the same person scores lower across such gaps');
  assert.equal(warningText('low_quality', { side: 'B', quality: '0.21' }, 'en'), 'Face B: overall quality 0.21 is low; treat the result with caution');
  const zh = warningText('child_photo', { side: 'A', ageSource: 'given', age: 3 }, 'zh');
  assert.equal(zh, '人脸 A 为儿童（已知年龄 3 岁）：儿童面貌变化快且彼此相似，分数区分度较低');
  assert.match(warningText('lr_at_bound', { max: '2.9', positives: 632, negatives: 632 }, 'zh'), /10\^2\.9.*632 对.*632 对/);
  // A warning stored before its values were kept stays in English; an unknown code is named, not lost.
  assert.equal(localWarning({ code: 'low_quality', side: 'A', message: 'Face A: overall quality 0.10 is low; treat the result with caution' }, 'zh'), 'Face A: overall quality 0.10 is low; treat the result with caution');
  assert.equal(warningText('something_new', {}, 'zh'), 'something_new');
});

test('conditions, threshold sources, decisions and verbal strengths have Chinese forms', () => {
  assert.equal(conditionText('child_gap_gt10', 'en'), 'a child (under 14) involved, age gap over 10 years');
  assert.equal(conditionText('child_gap_gt10', 'zh'), '涉及儿童（不满 14 岁），年龄差超过 10 岁');
  assert.equal(thresholdSourceText('false-accept rate 1e-3 on the calibration data (fgnet_verify.csv)', 'zh'), '校准数据（fgnet_verify.csv）上误识率 1e-3 的阈值');
  assert.equal(thresholdSourceText('given by the examiner', 'zh'), '由检验人给定');
  assert.equal(thresholdSourceText('something else', 'zh'), 'something else');
  assert.deepEqual([decisionText('match', 'zh'), decisionText('no match', 'zh'), decisionText(null, 'zh')], ['匹配', '不匹配', '–']);
  assert.equal(scaleText('moderately strong support for same person', 'zh'), '支持同一人，强度：较强');
});
