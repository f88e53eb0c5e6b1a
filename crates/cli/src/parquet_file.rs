//! Tables written as Parquet, for the analysts' tools: every column text (UTF-8), but those
//! named numeric, written as doubles.

use std::path::Path;
use std::sync::Arc;

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

/// Writes `rows` (each as many cells as `columns`) to `path`; the columns in `numeric` hold
/// numbers written with a `.` (an empty cell there is a zero).
pub fn write(
    path: &Path,
    name: &str,
    columns: &[&str],
    numeric: &[&str],
    rows: &[Vec<String>],
) -> Result<(), String> {
    let fields: Vec<String> = columns
        .iter()
        .map(|c| {
            if numeric.contains(c) {
                format!("REQUIRED DOUBLE {c};")
            } else {
                format!("REQUIRED BYTE_ARRAY {c} (UTF8);")
            }
        })
        .collect();
    let schema = parse_message_type(&format!("message {name} {{ {} }}", fields.join(" ")))
        .map_err(|e| e.to_string())?;
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut writer = SerializedFileWriter::new(
        file,
        Arc::new(schema),
        Arc::new(WriterProperties::builder().build()),
    )
    .map_err(|e| e.to_string())?;
    let mut group = writer.next_row_group().map_err(|e| e.to_string())?;
    let mut index = 0;
    while let Some(mut column) = group.next_column().map_err(|e| e.to_string())? {
        if numeric.contains(&columns[index]) {
            let values: Vec<f64> = rows
                .iter()
                .map(|r| r[index].parse().unwrap_or(0.0))
                .collect();
            column
                .typed::<DoubleType>()
                .write_batch(&values, None, None)
                .map_err(|e| e.to_string())?;
        } else {
            let values: Vec<ByteArray> = rows
                .iter()
                .map(|r| ByteArray::from(r[index].as_str()))
                .collect();
            column
                .typed::<ByteArrayType>()
                .write_batch(&values, None, None)
                .map_err(|e| e.to_string())?;
        }
        column.close().map_err(|e| e.to_string())?;
        index += 1;
    }
    group.close().map_err(|e| e.to_string())?;
    writer.close().map_err(|e| e.to_string())?;
    Ok(())
}
