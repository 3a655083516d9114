/** Cells of the CSV files the product writes: formula prefixes neutralized (OWASP CSV injection), RFC 4180 quoting. */
import { csvCell, csvDocument } from '../../domain/csv-cell';

describe('csvCell', () => {
  test.each([
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['=1+1', "'=1+1"],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(1+1)', "'@SUM(1+1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['+1514•••••01', "'+1514•••••01"],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [' =1 (a space first)', ' =1 (a space first)'],
    ['Ann', 'Ann'],
    ['', ''],
  ])('%j is written %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  test('numbers, booleans and missing values', () => {
    expect([csvCell(-5), csvCell(7), csvCell(true), csvCell(null), csvCell(undefined)]).toEqual(["'-5", '7', 'true', '', '']);
  });

  test('a document: header, rows, CRLF line ends', () => {
    expect(
      csvDocument(
        ['id', 'note'],
        [
          ['k1', '=1'],
          ['k2', 'a,b'],
        ],
      ),
    ).toBe('id,note\r\nk1,\'=1\r\nk2,"a,b"\r\n');
  });
});
