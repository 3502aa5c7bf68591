namespace DanVan.Tests.Compilation.Corpus;

/// <summary>
/// Unit reports in the shapes units really send (written here, in Vietnamese), each with where an officer of Sở Nội vụ
/// would file every paragraph. Codes: "I", "II/1" … "II/9", "III/uu-diem", "III/han-che", "IV", "V", "V/ubnd-tinh",
/// "V/so-noi-vu", "V/trung-uong"; "-" for the title and signature blocks.
/// </summary>
public static class ReportCorpus
{
    /// <summary>(report, as a PDF?) for every report of the corpus.</summary>
    public static IReadOnlyList<(UnitReport Report, bool Pdf)> All =>
    [
        (CommonShape(), false), (ShortShape(), false), (HeadingStyles(), false), (AutomaticNumbering(), false), (Parts(), false),
        (Tables(), false), (TextPdf(), true), (NoHeadings(), false), (BoldCapitals(), false), (NestedNumbers(), false),
        (RunInHeadings(), false), (StylesWithoutNumbers(), false), (LimitsInsideContents(), false),
    ];

    /// <summary>The common shape the issue quotes: I–V typed, bold; II with 1., 2., 4.; III with 1. Ưu điểm, 2. Hạn chế.</summary>
    public static UnitReport CommonShape() => new UnitReport("common-shape", "Sở Tài chính").Title()
        .H(0, "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO", Mark.Bold)
        .P("Ban Giám đốc Sở ban hành Kế hoạch số 12/KH-STC ngày 20/01/2026 triển khai công tác dân vận chính quyền năm 2026, phân công rõ trách nhiệm từng phòng.", "I")
        .H(0, "II. KẾT QUẢ THỰC HIỆN", Mark.Bold)
        .H(1, "1. Phổ biến, quán triệt Chỉ thị số 33/CT-TTg", Mark.Bold)
        .P("Sở tổ chức 02 hội nghị quán triệt Chỉ thị số 33/CT-TTg và Chỉ thị số 09-CT/TU cho 86 lượt cán bộ, công chức, viên chức và người lao động.", "II/1")
        .H(1, "2. Công tác tuyên truyền", Mark.Bold)
        .P("Đăng tải 14 tin, bài về công tác dân vận chính quyền trên Cổng thông tin điện tử của Sở.", "II/2")
        .H(1, "4. Cải cách hành chính", Mark.Bold)
        .P("Rút ngắn 30% thời gian giải quyết thủ tục hành chính về thẩm định giá và quyết toán dự án hoàn thành.", "II/4")
        .P("100% hồ sơ được tiếp nhận và trả kết quả qua Bộ phận một cửa của tỉnh, không có hồ sơ trễ hạn.", "II/4")
        .H(0, "III. ĐÁNH GIÁ CHUNG", Mark.Bold)
        .H(1, "1. Ưu điểm", Mark.Bold)
        .P("Lãnh đạo Sở quan tâm chỉ đạo sát sao; cán bộ, công chức có ý thức trách nhiệm, tinh thần phục vụ Nhân dân.", "III/uu-diem")
        .H(1, "2. Hạn chế, nguyên nhân", Mark.Bold)
        .P("Một số phòng chưa chủ động đăng tải tin, bài; nguyên nhân là cán bộ kiêm nhiệm nhiều việc.", "III/han-che")
        .H(0, "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM", Mark.Bold)
        .P("Tiếp tục đẩy mạnh tuyên truyền, nâng cao chất lượng phục vụ người dân và doanh nghiệp.", "IV")
        .H(0, "V. KIẾN NGHỊ, ĐỀ XUẤT", Mark.Bold)
        .P("Đề nghị UBND tỉnh bố trí kinh phí tập huấn nghiệp vụ công tác dân vận cho cán bộ kiêm nhiệm.", "V/ubnd-tinh")
        .Signature();

    /// <summary>The short shape the issue quotes: 1. Kết quả (a), b)), 2. Khó khăn, vướng mắc, 3. Đề xuất, kiến nghị.</summary>
    public static UnitReport ShortShape() => new UnitReport("short-shape", "UBND huyện Tam Dương").Title()
        .H(0, "1. Kết quả thực hiện")
        .H(1, "a) Công tác tuyên truyền")
        .P("Huyện tổ chức 12 buổi tuyên truyền về công tác dân vận tại các xã, thị trấn với trên 1.500 lượt người dân tham gia.", "II/2")
        .H(1, "b) Phong trào thi đua \"Dân vận khéo\"")
        .P("Có 08 mô hình \"Dân vận khéo\" được công nhận, tập trung vào lĩnh vực xây dựng nông thôn mới.", "II/3")
        .H(0, "2. Khó khăn, vướng mắc")
        .P("Kinh phí cho công tác tuyên truyền ở cơ sở còn hạn hẹp; một số xã chưa bố trí cán bộ chuyên trách.", "III/han-che")
        .H(0, "3. Đề xuất, kiến nghị")
        .P("Đề nghị Sở Nội vụ mở lớp tập huấn kỹ năng dân vận cho công chức cấp xã.", "V/so-noi-vu")
        .Signature("CHỦ TỊCH", "Trần Văn Cường");

    /// <summary>Heading styles ("heading 1/2" under localized ids) with typed numbers.</summary>
    public static UnitReport HeadingStyles() => new UnitReport("heading-styles", "Sở Giáo dục và Đào tạo").Title()
        .H(0, "I. Công tác chỉ đạo, điều hành", Mark.Style)
        .P("Sở ban hành Công văn số 345/SGDĐT-VP hướng dẫn các trường học triển khai công tác dân vận năm học 2025-2026.", "I")
        .H(0, "II. Kết quả thực hiện các nội dung", Mark.Style)
        .H(1, "1. Quán triệt Chỉ thị số 33/CT-TTg", Mark.Style)
        .P("100% đơn vị trực thuộc tổ chức quán triệt đến cán bộ, giáo viên, nhân viên.", "II/1")
        .H(1, "3. Thi đua \"Dân vận khéo\", văn hóa công sở", Mark.Style)
        .P("Ngành công nhận 15 mô hình \"Dân vận khéo\" trong trường học; 100% cơ quan thực hiện quy tắc ứng xử văn hóa công sở.", "II/3")
        .H(1, "7. Văn hóa công vụ, đạo đức công vụ", Mark.Style)
        .P("Tổ chức 03 cuộc kiểm tra việc chấp hành kỷ luật, kỷ cương tại các trường trung học phổ thông.", "II/7")
        .H(0, "III. Đánh giá chung", Mark.Style)
        .H(1, "1. Ưu điểm", Mark.Style)
        .P("Đội ngũ nhà giáo gương mẫu, gần gũi học sinh và phụ huynh.", "III/uu-diem")
        .H(1, "2. Hạn chế", Mark.Style)
        .P("Việc tiếp nhận, xử lý phản ánh của phụ huynh ở một số trường còn chậm.", "III/han-che")
        .H(0, "IV. Nhiệm vụ trọng tâm", Mark.Style)
        .P("Triển khai thực hiện tốt quy tắc ứng xử trong trường học năm học mới.", "IV")
        .H(0, "V. Đề xuất", Mark.Style)
        .P("Đề nghị Bộ Nội vụ sớm ban hành hướng dẫn về tiêu chí mô hình \"Dân vận khéo\" trong ngành giáo dục.", "V/trung-uong")
        .Signature();

    /// <summary>Word's automatic numbering: the text holds no "I." or "1."; the numbering part says what Word shows.</summary>
    public static UnitReport AutomaticNumbering() => new UnitReport("automatic-numbering", "Sở Y tế").Title()
        .H(0, "Công tác lãnh đạo, chỉ đạo", Mark.Auto)
        .P("Đảng ủy, Ban Giám đốc Sở quán triệt và giao chỉ tiêu công tác dân vận cho từng đơn vị trực thuộc.", "I")
        .H(0, "Kết quả thực hiện", Mark.Auto)
        .H(1, "Tuyên truyền, giáo dục nâng cao nhận thức", Mark.Auto)
        .P("Phát 5.000 tờ rơi về quy tắc ứng xử của nhân viên y tế tại các bệnh viện tuyến tỉnh.", "II/2")
        .H(1, "Đổi mới quản lý, điều hành; chuyển đổi số", Mark.Auto)
        .P("Triển khai đặt lịch khám trực tuyến và thanh toán không dùng tiền mặt tại 6 bệnh viện.", "II/5")
        .H(1, "Chính sách an sinh xã hội, người có công", Mark.Auto)
        .P("Khám sức khỏe miễn phí cho 1.200 người có công và thân nhân.", "II/6")
        .H(0, "Đánh giá chung", Mark.Auto)
        .H(1, "Ưu điểm", Mark.Auto)
        .P("Tinh thần, thái độ phục vụ người bệnh chuyển biến rõ rệt.", "III/uu-diem")
        .H(1, "Hạn chế, nguyên nhân", Mark.Auto)
        .P("Tình trạng quá tải ở một số bệnh viện vẫn còn; nguyên nhân chủ yếu do thiếu nhân lực.", "III/han-che")
        .H(0, "Phương hướng, nhiệm vụ", Mark.Auto)
        .P("Tiếp tục nâng cao chất lượng khám, chữa bệnh, hướng tới sự hài lòng của người bệnh.", "IV")
        .H(0, "Kiến nghị, đề xuất", Mark.Auto)
        .P("Kiến nghị UBND tỉnh bổ sung biên chế cho các bệnh viện tuyến tỉnh.", "V/ubnd-tinh")
        .Signature();

    /// <summary>"Phần thứ nhất / Phần thứ hai", Roman parts inside them.</summary>
    public static UnitReport Parts() => new UnitReport("phan-i-ii", "Sở Nông nghiệp và Phát triển nông thôn").Title()
        .H(0, "PHẦN THỨ NHẤT: KẾT QUẢ THỰC HIỆN", Mark.Bold)
        .H(1, "I. Công tác lãnh đạo, chỉ đạo", Mark.Bold)
        .P("Sở ban hành Kế hoạch số 40/KH-SNN thực hiện công tác dân vận chính quyền, gắn với nhiệm vụ chuyên môn.", "I")
        .H(1, "II. Kết quả cụ thể", Mark.Bold)
        .P("Các nội dung của Kế hoạch 158/KH-UBND được triển khai đồng bộ trong toàn ngành.", "II")
        .H(2, "1. Nông thôn mới, giảm nghèo")
        .P("Hỗ trợ 4 xã đạt chuẩn nông thôn mới nâng cao; tỷ lệ hộ nghèo giảm 0,4%.", "II/6")
        .H(2, "2. Phối hợp với Mặt trận Tổ quốc")
        .P("Phối hợp với Ủy ban Mặt trận Tổ quốc tỉnh giám sát việc thực hiện chính sách hỗ trợ sản xuất.", "II/9")
        .H(1, "III. Đánh giá chung", Mark.Bold)
        .P("Nhìn chung, công tác dân vận chính quyền của ngành đạt kết quả tích cực, còn một số hạn chế về nhân lực.", "III")
        .H(0, "PHẦN THỨ HAI: PHƯƠNG HƯỚNG, NHIỆM VỤ VÀ KIẾN NGHỊ", Mark.Bold)
        .H(1, "I. Nhiệm vụ trọng tâm", Mark.Bold)
        .P("Tập trung chỉ đạo xây dựng nông thôn mới kiểu mẫu, gắn với phát triển sản phẩm OCOP.", "IV")
        .H(1, "II. Kiến nghị", Mark.Bold)
        .P("Đề nghị UBND tỉnh bố trí vốn đối ứng cho các xã phấn đấu đạt chuẩn năm 2026.", "V/ubnd-tinh")
        .Signature();

    /// <summary>Figures in tables under their content.</summary>
    public static UnitReport Tables() => new UnitReport("tables", "Sở Lao động - Thương binh và Xã hội").Title()
        .H(0, "I. Công tác lãnh đạo, chỉ đạo", Mark.Bold)
        .P("Sở chỉ đạo các phòng chuyên môn lồng ghép công tác dân vận trong thực hiện chính sách an sinh xã hội.", "I")
        .H(0, "II. Kết quả thực hiện", Mark.Bold)
        .H(1, "6. Chính sách an sinh xã hội, người có công", Mark.Bold)
        .P("Kết quả thực hiện chính sách trong kỳ được tổng hợp tại bảng sau:", "II/6")
        .Row("II/6", "STT", "Nội dung", "Số lượng")
        .Row("II/6", "1", "Người có công được tặng quà dịp Tết", "12.450")
        .Row("II/6", "2", "Hộ nghèo được hỗ trợ nhà ở", "135")
        .P("Không có đơn thư khiếu nại liên quan đến chế độ chính sách trong kỳ.", "II/6")
        .H(1, "8. Tiếp công dân, giải quyết khiếu nại, tố cáo", Mark.Bold)
        .P("Tiếp 46 lượt công dân, chủ yếu đề nghị xác nhận chế độ người có công; đã giải quyết dứt điểm 40 trường hợp.", "II/8")
        .H(0, "III. Tồn tại, hạn chế", Mark.Bold)
        .P("Việc rà soát hồ sơ người có công còn tồn đọng do hồ sơ gốc thất lạc.", "III/han-che")
        .H(0, "IV. Kiến nghị", Mark.Bold)
        .P("Đề nghị Bộ Lao động - Thương binh và Xã hội, Chính phủ sớm sửa đổi quy định xác nhận liệt sĩ khi hồ sơ gốc không còn.", "V/trung-uong")
        .Signature();

    /// <summary>A PDF with a text layer, common shape, typed numbers: the same reader as DOCX.</summary>
    public static UnitReport TextPdf() => new UnitReport("text-pdf", "UBND thành phố Vĩnh Yên").Title()
        .H(0, "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO")
        .P("UBND thành phố ban hành kế hoạch thực hiện công tác dân vận chính quyền năm 2026.", "I")
        .H(0, "II. KẾT QUẢ THỰC HIỆN")
        .H(1, "1. Phổ biến, quán triệt")
        .P("Tổ chức 05 hội nghị quán triệt cho 420 lượt cán bộ, công chức thành phố và các phường.", "II/1")
        .H(1, "8. Tiếp công dân")
        .P("Lãnh đạo thành phố tiếp công dân định kỳ 12 buổi, tiếp 156 lượt công dân.", "II/8")
        .H(0, "III. ĐÁNH GIÁ CHUNG")
        .H(1, "1. Ưu điểm")
        .P("Công tác tiếp dân được duy trì nền nếp, giải quyết kịp thời kiến nghị của người dân.", "III/uu-diem")
        .H(1, "2. Hạn chế")
        .P("Một số vụ việc tranh chấp đất đai kéo dài, chưa giải quyết dứt điểm.", "III/han-che")
        .H(0, "IV. PHƯƠNG HƯỚNG")
        .P("Tập trung giải quyết dứt điểm các vụ việc tồn đọng, kéo dài.", "IV")
        .H(0, "V. KIẾN NGHỊ")
        .P("Đề nghị UBND tỉnh chỉ đạo các sở, ngành phối hợp giải quyết các vụ việc phức tạp.", "V/ubnd-tinh")
        .Skip("Nơi nhận:")
        .Skip("- Sở Nội vụ;")
        .Skip("CHỦ TỊCH");

    /// <summary>No headings at all: paragraphs open with what they are about, or do not.</summary>
    public static UnitReport NoHeadings() => new UnitReport("no-headings", "Ban Dân tộc").Title(opening: false)
        .P("Về công tác lãnh đạo, chỉ đạo, Ban đã ban hành kế hoạch và phân công cán bộ theo dõi công tác dân vận tại vùng đồng bào dân tộc thiểu số.", "I")
        .P("Về công tác tuyên truyền, Ban phối hợp tổ chức 06 hội nghị tuyên truyền pháp luật cho đồng bào dân tộc thiểu số ở các xã miền núi.", "II/2")
        .P("Thăm hỏi, tặng quà 85 người có uy tín trong đồng bào dân tộc thiểu số nhân dịp Tết Nguyên đán.", "II/2")
        .P("Về chính sách an sinh xã hội, Ban phối hợp triển khai hỗ trợ sinh kế cho 230 hộ đồng bào dân tộc thiểu số.", "II/6")
        .P("Khó khăn: địa bàn rộng, giao thông đi lại khó khăn, cán bộ của Ban còn mỏng.", "III/han-che")
        .P("Thời gian tới, Ban tiếp tục phối hợp với các huyện miền núi triển khai các chính sách dân tộc.", "IV")
        .P("Kiến nghị UBND tỉnh bổ sung kinh phí cho hoạt động của người có uy tín.", "V/ubnd-tinh")
        .Signature("TRƯỞNG BAN", "Hà Thị Dung");

    /// <summary>Bold capitalised headings without numbers at the top, typed numbers below.</summary>
    public static UnitReport BoldCapitals() => new UnitReport("bold-capitals", "Sở Tư pháp").Title()
        .H(0, "CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO", Mark.Bold)
        .P("Giám đốc Sở chỉ đạo các phòng, đơn vị thực hiện nghiêm Chỉ thị số 33/CT-TTg.", "I")
        .H(0, "KẾT QUẢ THỰC HIỆN", Mark.Bold)
        .H(1, "1. Phổ biến, quán triệt")
        .P("Tổ chức quán triệt tại hội nghị cán bộ, công chức, viên chức đầu năm với 65 người tham dự.", "II/1")
        .H(1, "5. Cải cách thủ tục hành chính, dân chủ ở cơ sở")
        .P("Công bố 12 thủ tục hành chính được sửa đổi; thực hiện quy chế dân chủ trong hoạt động của cơ quan.", "II/5")
        .H(1, "8. Tiếp cận thông tin")
        .P("Cung cấp thông tin theo yêu cầu cho 7 trường hợp, đúng thời hạn.", "II/8")
        .H(0, "ĐÁNH GIÁ CHUNG", Mark.Bold)
        .H(1, "1. Những kết quả đạt được")
        .P("Nhận thức của cán bộ, công chức về công tác dân vận được nâng lên rõ rệt.", "III/uu-diem")
        .H(1, "2. Tồn tại, hạn chế")
        .P("Việc cập nhật thông tin trên Cổng thông tin của Sở có lúc chưa kịp thời.", "III/han-che")
        .H(0, "PHƯƠNG HƯỚNG, NHIỆM VỤ", Mark.Bold)
        .P("Đẩy mạnh phổ biến, giáo dục pháp luật gắn với công tác dân vận.", "IV")
        .Signature();

    /// <summary>Arabic levels only: 1., 2., 2.1., 2.2.</summary>
    public static UnitReport NestedNumbers() => new UnitReport("nested-numbers", "Sở Thông tin và Truyền thông").Title()
        .H(0, "1. Công tác chỉ đạo, điều hành", Mark.Bold)
        .P("Sở ban hành kế hoạch, lồng ghép nội dung dân vận chính quyền vào chương trình công tác năm.", "I")
        .H(0, "2. Kết quả thực hiện", Mark.Bold)
        .H(1, "2.1. Thông tin, tuyên truyền", Mark.Bold)
        .P("Chỉ đạo các cơ quan báo chí đăng 320 tin, bài về công tác dân vận và gương \"Dân vận khéo\".", "II/2")
        .H(1, "2.2. Chuyển đổi số, cải cách thủ tục hành chính", Mark.Bold)
        .P("Tỷ lệ hồ sơ trực tuyến toàn trình của Sở đạt 96%; vận hành ổn định hệ thống phản ánh, kiến nghị trực tuyến.", "II/5")
        .H(0, "3. Tồn tại, hạn chế và nguyên nhân", Mark.Bold)
        .P("Hạ tầng số ở một số xã vùng sâu còn hạn chế; kỹ năng số của người dân chưa đồng đều.", "III/han-che")
        .H(0, "4. Nhiệm vụ thời gian tới", Mark.Bold)
        .P("Phát triển nền tảng số phục vụ người dân, phổ cập kỹ năng số cho cộng đồng.", "IV")
        .H(0, "5. Kiến nghị", Mark.Bold)
        .P("Đề xuất Bộ Thông tin và Truyền thông, Chính phủ hỗ trợ hạ tầng viễn thông cho vùng khó khăn.", "V/trung-uong")
        .Signature();

    /// <summary>Headings run into their first sentence ("a) Tiếp công dân: Trong kỳ, …").</summary>
    public static UnitReport RunInHeadings() => new UnitReport("run-in", "Thanh tra tỉnh").Title()
        .H(0, "I. Công tác lãnh đạo, chỉ đạo")
        .P("Chánh Thanh tra tỉnh ban hành văn bản chỉ đạo các phòng nghiệp vụ thực hiện công tác dân vận trong hoạt động thanh tra.", "I")
        .H(0, "II. Kết quả thực hiện")
        .P("a) Tiếp công dân, giải quyết khiếu nại, tố cáo: Trong kỳ, Thanh tra tỉnh tiếp 210 lượt công dân, tiếp nhận 134 đơn, giải quyết 42 vụ việc thuộc thẩm quyền.", "II/8")
        .P("b) Văn hóa công vụ: Thanh tra viên chấp hành nghiêm quy định về văn hóa công vụ khi làm việc với công dân, không có trường hợp vi phạm.", "II/7")
        .H(0, "III. Đánh giá chung")
        .P("1. Ưu điểm: Công tác tiếp dân được thực hiện nghiêm túc, đúng quy trình, tạo được niềm tin của người dân.", "III/uu-diem")
        .P("2. Hạn chế: Một số vụ việc khiếu nại đông người, phức tạp chưa được giải quyết dứt điểm do vướng cơ chế chính sách.", "III/han-che")
        .H(0, "IV. Phương hướng, nhiệm vụ")
        .P("Tăng cường đối thoại, giải quyết kịp thời các vụ việc ngay từ cơ sở.", "IV")
        .Signature("CHÁNH THANH TRA", "Lê Văn Đức");

    /// <summary>Heading styles carry the levels; the headings have no numbers at all.</summary>
    public static UnitReport StylesWithoutNumbers() => new UnitReport("styles-no-numbers", "Sở Nội vụ").Title()
        .H(0, "Công tác lãnh đạo, chỉ đạo", Mark.Style)
        .P("Sở tham mưu UBND tỉnh ban hành kế hoạch tổng kết công tác dân vận chính quyền năm 2025.", "I")
        .H(0, "Kết quả thực hiện", Mark.Style)
        .H(1, "Cải cách hành chính nhà nước", Mark.Style)
        .P("Chỉ số cải cách hành chính của tỉnh năm 2025 tăng 3 bậc so với năm trước.", "II/4")
        .H(1, "Văn hóa công vụ", Mark.Style)
        .P("Kiểm tra đột xuất việc thực hiện văn hóa công vụ tại 15 cơ quan, nhắc nhở 4 trường hợp.", "II/7")
        .H(0, "Hạn chế, nguyên nhân", Mark.Style)
        .P("Một số cơ quan chưa thực hiện nghiêm chế độ báo cáo định kỳ về công tác dân vận.", "III/han-che")
        .H(0, "Kiến nghị, đề xuất", Mark.Style)
        .P("Kiến nghị Bộ Nội vụ hướng dẫn thống nhất mẫu báo cáo công tác dân vận chính quyền.", "V/trung-uong")
        .Bullet("Đề nghị UBND tỉnh giao chỉ tiêu công tác dân vận vào đánh giá xếp loại cơ quan hằng năm.", "V/ubnd-tinh")
        .Signature();

    /// <summary>Sub-headings inside contents (a) Kết quả, b) Nguyên nhân) and recommendations as bullets with whom they ask.</summary>
    public static UnitReport LimitsInsideContents() => new UnitReport("inside-contents", "UBND huyện Lập Thạch").Title()
        .H(0, "I. Công tác lãnh đạo, chỉ đạo", Mark.Bold)
        .P("Ban Thường vụ Huyện ủy, UBND huyện chỉ đạo các xã, thị trấn xây dựng kế hoạch thực hiện công tác dân vận chính quyền.", "I")
        .H(0, "II. Kết quả thực hiện", Mark.Bold)
        .H(1, "1. Phổ biến, quán triệt", Mark.Bold)
        .H(2, "a) Kết quả")
        .P("Tổ chức 18 hội nghị quán triệt tại các xã với 2.300 lượt cán bộ, đảng viên tham dự.", "II/1")
        .H(2, "b) Cách làm hay")
        .P("Quán triệt kết hợp đối thoại trực tiếp với người dân tại nhà văn hóa thôn.", "II/1")
        .H(1, "9. Phối hợp với Mặt trận Tổ quốc và các đoàn thể", Mark.Bold)
        .P("Phối hợp với Mặt trận Tổ quốc huyện tổ chức 4 cuộc giám sát việc thực hiện chính sách đất đai.", "II/9")
        .H(0, "III. Đánh giá chung", Mark.Bold)
        .H(1, "1. Ưu điểm", Mark.Bold)
        .P("Hệ thống chính trị cơ sở vào cuộc đồng bộ, người dân đồng tình ủng hộ.", "III/uu-diem")
        .H(1, "2. Hạn chế, nguyên nhân", Mark.Bold)
        .H(2, "a) Hạn chế")
        .P("Một số xã còn lúng túng trong xây dựng mô hình dân vận khéo.", "III/han-che")
        .H(2, "b) Nguyên nhân")
        .P("Cán bộ cấp xã thay đổi nhiều sau sắp xếp đơn vị hành chính.", "III/han-che")
        .H(0, "V. Kiến nghị, đề xuất", Mark.Bold)
        .Bullet("Đề nghị UBND tỉnh hỗ trợ kinh phí xây dựng nhà văn hóa thôn.", "V/ubnd-tinh")
        .Bullet("Đề nghị Sở Nội vụ hướng dẫn tiêu chí đánh giá mô hình dân vận khéo.", "V/so-noi-vu")
        .Signature("CHỦ TỊCH", "Phạm Văn Giang");
}
